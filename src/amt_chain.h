/*
 * amt_chain.h - the parsed certificate chain a client sent.
 */
#ifndef AMT_CHAIN_H
#define AMT_CHAIN_H

#include <time.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/x509.h>

typedef struct amt_chain_t {
    X509 *leaf;                 /* the first certificate of the header */
    STACK_OF(X509) *sent;       /* the certificates after the leaf, in header
                                 * order (may be empty, never NULL) */
} amt_chain_t;

/**
 * Parses DER blobs (an array of amt_der_t, as amt_header_decode() makes)
 * into a chain.  Each blob must be exactly one DER certificate with no
 * trailing bytes, else AMT_EBADCERT.  The X509 objects are owned by the
 * chain and freed by a cleanup on p.  An empty array is a programming error
 * (APR_EINVAL).
 */
apr_status_t amt_chain_make(amt_chain_t **chain, apr_pool_t *p,
                            const apr_array_header_t *ders,
                            const char **reason);

/**
 * amt_header_decode() + amt_chain_make().  For a value that carries no
 * certificate, returns APR_SUCCESS with *chain = NULL.
 */
apr_status_t amt_chain_from_header(amt_chain_t **chain, apr_pool_t *p,
                                   const char *value, const char **reason);

/** An ASN1_TIME as seconds since the epoch; 0 when it does not convert. */
int amt_asn1_to_time(const ASN1_TIME *t, time_t *out);

/**
 * Lowers *at to x's notBefore or notAfter when that lies after now and
 * before *at (*at == 0: no bound yet): the next moment at which x's
 * validity, and so a verdict that depends on it, may change.
 */
void amt_cert_next_bound(time_t *at, time_t now, const X509 *x);

#endif
