/*
 * pki.h - test certificates built at run time with the OpenSSL 3.0 API
 * (no files, no openssl(1)): roots, intermediates and leaves with chosen
 * subjects, SANs, EKU, validity and serials, plus helpers that turn them
 * into PEM text and into a header value encoded as the ALB encodes it.
 *
 * Every object is owned by the pool it was made from (pool cleanups free
 * the X509 and EVP_PKEY objects), so destroying the pool frees everything.
 * Failures are fatal: they end the test program with "Bail out!".
 */
#ifndef PKI_H
#define PKI_H

#include <time.h>
#include <apr_pools.h>
#include <openssl/x509.h>
#include <openssl/evp.h>

typedef struct pki_cert_t {
    X509 *x509;
    EVP_PKEY *key;
} pki_cert_t;

/** One subject attribute, in DER order. */
typedef struct pki_rdn_t {
    const char *field;   /* OpenSSL short name ("CN", "OU", "emailAddress")
                          * or dotted OID; NULL ends the list */
    const char *value;   /* UTF-8 bytes */
    int same_rdn;        /* 1: joins the previous RDN (multi-valued) */
    int type;            /* 0: UTF-8 text, OpenSSL picks the ASN.1 type;
                          * else a V_ASN1_* string type, value taken raw */
    int len;             /* with type: length of value in bytes */
} pki_rdn_t;

enum {
    PKI_EKU_CLIENT = 0,  /* extendedKeyUsage clientAuth (the default) */
    PKI_EKU_SERVER,      /* serverAuth only */
    PKI_EKU_NONE         /* no extendedKeyUsage extension */
};

typedef struct pki_spec_t {
    const char *cn;             /* used when subject is NULL: CN=<cn> */
    const pki_rdn_t *subject;   /* full subject, overrides cn */
    const char *san;            /* OpenSSL config syntax, e.g. "DNS:a.example,
                                 * email:u@example,URI:spiffe://x,otherName:
                                 * 1.3.6.1.4.1.311.20.2.3;UTF8:u@corp" */
    int eku;                    /* PKI_EKU_* (leaves only) */
    int is_ca;                  /* basicConstraints CA:TRUE + keyCertSign */
    int rsa;                    /* RSA-2048 key instead of EC P-256 */
    time_t now;                 /* reference time for the offsets (0: now) */
    long not_before;            /* offset in seconds from now ... */
    long not_after;             /* ... used when validity_set */
    int validity_set;           /* else now-1 day .. now+365.5 days (the
                                 * half day keeps V_REMAIN steady while a
                                 * test runs) */
    const char *not_before_str; /* "YYYYMMDDHHMMSSZ" or "YYMMDDHHMMSSZ", */
    const char *not_after_str;  /* overrides the offsets */
    const char *serial_hex;     /* NULL: a fresh small serial */
} pki_spec_t;

/** Issues a certificate from spec, signed by issuer (NULL: self-signed). */
pki_cert_t *pki_issue(apr_pool_t *p, const pki_spec_t *spec,
                      const pki_cert_t *issuer);

/** A self-signed CA with subject "CN=<cn>,O=Unit Test PKI,C=US". */
pki_cert_t *pki_root(apr_pool_t *p, const char *cn);

/** A CA with subject "CN=<cn>,O=Unit Test PKI,C=US" signed by issuer. */
pki_cert_t *pki_intermediate(apr_pool_t *p, const char *cn,
                             const pki_cert_t *issuer);

/** A clientAuth leaf with subject CN=<cn> signed by issuer (NULL: self). */
pki_cert_t *pki_leaf(apr_pool_t *p, const char *cn, const pki_cert_t *issuer);

/** A copy of cert whose DER signature has its last byte flipped. */
X509 *pki_tamper(apr_pool_t *p, X509 *cert);

/** DER encoding of cert (allocated from p). */
unsigned char *pki_der(apr_pool_t *p, X509 *cert, apr_size_t *len);

/** PEM text of one certificate (64-column lines, trailing newline). */
const char *pki_pem(apr_pool_t *p, X509 *cert);

/** PEM text of the NULL-terminated list of certificates, concatenated. */
const char *pki_pem_chain(apr_pool_t *p, X509 *first, ...)
    __attribute__((sentinel));

/** PEM text of a private key (PKCS#8, "BEGIN PRIVATE KEY"). */
const char *pki_key_pem(apr_pool_t *p, EVP_PKEY *key);

/** Percent-encodes text as the ALB does: A-Z a-z 0-9 - . _ ~ + = / stay,
 *  every other byte becomes %XX (upper-case hex), so newline is %0A and
 *  space %20. */
const char *pki_alb_encode(apr_pool_t *p, const char *text);

/** pki_alb_encode(pki_pem_chain(...)): the header value an ALB sends for
 *  this chain (leaf first). */
const char *pki_header(apr_pool_t *p, X509 *first, ...)
    __attribute__((sentinel));

/** Subject-name hash as "openssl rehash" names links ("%08lx"). */
const char *pki_subject_hash(apr_pool_t *p, X509 *cert);

/** A fresh temporary directory, removed with its files by a cleanup on p. */
const char *pki_tmpdir(apr_pool_t *p);

/** Writes content to dir/name; returns the full path. */
const char *pki_write_file(apr_pool_t *p, const char *dir, const char *name,
                           const char *content);

#endif
