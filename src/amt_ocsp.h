/*
 * amt_ocsp.h - OCSP with mod_ssl's semantics (SSLOCSPEnable and friends):
 * the settings (one struct, referenced from the policy), the request for
 * one certificate, and the check of a responder's answer.  The transport is
 * amt_http.h; where the check runs, and the cache of OCSP answers, are the
 * glue's (mod_alb_mtls_ocsp.c).
 */
#ifndef AMT_OCSP_H
#define AMT_OCSP_H

#include <time.h>
#include <apr_pools.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "amt_http.h"

#define AMT_OCSP_UNSET          (-1)
#define AMT_OCSP_AGE_UNSET      (-2)    /* max_age: -1 is "no limit" */
#define AMT_OCSP_DEFAULT_TIMEOUT 10
#define AMT_OCSP_DEFAULT_SKEW   300
#define AMT_OCSP_DIGEST_LEN     32
#define AMT_OCSP_KEY_LEN        32
/** bytes of amt_ocsp_material() */
#define AMT_OCSP_MATERIAL_LEN   (16 + 2 * AMT_OCSP_DIGEST_LEN)
/** bytes of a serialised OCSP answer */
#define AMT_OCSP_ANSWER_LEN     (4 + 1 + AMT_OCSP_KEY_LEN + 2 + 8 + 8)

typedef enum {
    AMT_OCSP_OFF = 0,
    AMT_OCSP_ON,            /* every certificate whose issuer is known */
    AMT_OCSP_LEAF           /* the leaf only */
} amt_ocsp_mode_e;

/** The OCSP settings of one configuration section; every field may be
 *  unset (inherit).  Read-only once the configuration is read. */
typedef struct amt_ocsp_conf_t {
    int mode;               /* amt_ocsp_mode_e; AMT_OCSP_UNSET */
    int no_ocsp_ok;         /* no_ocsp_for_cert_ok, with mode */
    const char *responder;  /* AlbMtlsOCSPDefaultResponder; NULL */
    amt_url_t responder_url;
    unsigned char responder_digest[AMT_OCSP_DIGEST_LEN];
    int override;           /* AMT_OCSP_UNSET, 0, 1 */
    int timeout;            /* seconds; AMT_OCSP_UNSET */
    long max_age;           /* seconds, -1 no limit; AMT_OCSP_AGE_UNSET */
    long skew;              /* seconds; AMT_OCSP_UNSET */
    int nonce;              /* AMT_OCSP_UNSET, 0, 1 */
    STACK_OF(X509) *certs;  /* AlbMtlsOCSPResponderCertificateFile; NULL */
    unsigned char certs_digest[AMT_OCSP_DIGEST_LEN];
} amt_ocsp_conf_t;

/** A conf with every field unset. */
amt_ocsp_conf_t *amt_ocsp_conf_make(apr_pool_t *p);

/** The merge of base and add (either may be NULL): add's set fields win.
 *  Returns base or add themselves when the other sets nothing. */
const amt_ocsp_conf_t *amt_ocsp_conf_merge(apr_pool_t *p,
                                           const amt_ocsp_conf_t *base,
                                           const amt_ocsp_conf_t *add);

/* effective values, defaults resolved (c may be NULL: OCSP off) */
amt_ocsp_mode_e amt_ocsp_mode(const amt_ocsp_conf_t *c);
int amt_ocsp_no_ocsp_ok(const amt_ocsp_conf_t *c);
int amt_ocsp_override(const amt_ocsp_conf_t *c);
int amt_ocsp_timeout(const amt_ocsp_conf_t *c);
long amt_ocsp_max_age(const amt_ocsp_conf_t *c);
long amt_ocsp_skew(const amt_ocsp_conf_t *c);
int amt_ocsp_nonce(const amt_ocsp_conf_t *c);

/** "off|on|leaf [no_ocsp_for_cert_ok]" (case-insensitive words). */
apr_status_t amt_ocsp_parse_mode(int *mode, int *no_ocsp_ok, apr_pool_t *p,
                                 const char *args, const char **why);

/** AlbMtlsOCSPDefaultResponder: an http:// URL (amt_url_parse). */
apr_status_t amt_ocsp_set_responder(amt_ocsp_conf_t *c, apr_pool_t *p,
                                    const char *url, const char **why);

/** AlbMtlsOCSPResponderCertificateFile: a PEM file of one or more
 *  certificates, trusted as responders (OpenSSL's OCSP_TRUSTOTHER).  The
 *  stack is freed with p. */
apr_status_t amt_ocsp_load_certs(amt_ocsp_conf_t *c, apr_pool_t *p,
                                 const char *path, const char **why);

/** Everything of the effective settings that can change a verdict, as
 *  bytes (zeros when OCSP is off), for the policy's material. */
void amt_ocsp_material(unsigned char out[AMT_OCSP_MATERIAL_LEN],
                       const amt_ocsp_conf_t *c);

/** Equal effective settings (same responder certificate stack object). */
int amt_ocsp_same(const amt_ocsp_conf_t *a, const amt_ocsp_conf_t *b);

/**
 * The responder URL for cert, as mod_ssl chooses it: the default responder
 * under override; else the first OCSP URI of the certificate's Authority
 * Information Access, else the default responder.  NULL when none.
 */
const char *amt_ocsp_responder_for(apr_pool_t *p, const amt_ocsp_conf_t *c,
                                   X509 *cert);

/** One OCSP request: for one certificate, with a nonce when asked. */
typedef struct amt_ocsp_req_t {
    OCSP_REQUEST *req;
    OCSP_CERTID *id;                /* owned by req */
    unsigned char *der;             /* the request as sent */
    apr_size_t der_len;
    unsigned char key[AMT_OCSP_KEY_LEN];  /* the OCSP answer's cache key */
} amt_ocsp_req_t;

/**
 * The request for cert issued by issuer (SHA-1 CertID, as OpenSSL's
 * OCSP_cert_to_id), with a nonce when c says so, and its cache key:
 * SHA-256 over a tag, the CertID (issuer name hash, issuer key hash,
 * serial) and the digest of the responder certificate file.  Freed with p.
 */
apr_status_t amt_ocsp_request(amt_ocsp_req_t **out, apr_pool_t *p,
                              const amt_ocsp_conf_t *c, X509 *cert,
                              X509 *issuer);

/** Why an answer could not be had or used. */
typedef enum {
    AMT_OCSP_OK = 0,            /* an answer: see its status */
    AMT_OCSP_NO_RESPONDER,      /* no URL in the certificate, no default */
    AMT_OCSP_BAD_URL,           /* the certificate's URL is not http:// */
    AMT_OCSP_UNREACHABLE,
    AMT_OCSP_TIMEOUT,
    AMT_OCSP_HTTP_STATUS,
    AMT_OCSP_MALFORMED,         /* bad HTTP or DER, no basic response, no
                                 * answer for the certificate */
    AMT_OCSP_UNSUCCESSFUL,      /* responseStatus other than successful */
    AMT_OCSP_BAD_NONCE,
    AMT_OCSP_BAD_SIGNATURE,     /* OCSP_basic_verify refused it */
    AMT_OCSP_TOO_OLD,           /* outside thisUpdate/nextUpdate, skew,
                                 * max age */
    AMT_OCSP_INTERNAL
} amt_ocsp_cause_e;

/** A short name of a cause, for log lines ("bad signature", ...). */
const char *amt_ocsp_cause_name(amt_ocsp_cause_e cause);

/** The cause of a transport failure. */
amt_ocsp_cause_e amt_ocsp_cause_of_http(amt_http_e e);

typedef struct amt_ocsp_answer_t {
    int status;             /* V_OCSP_CERTSTATUS_GOOD, _REVOKED, _UNKNOWN */
    int reason;             /* revocation reason, -1 when none */
    time_t expires;         /* nextUpdate, bounded by thisUpdate + max age;
                             * 0: the responder gave no bound */
    time_t this_update;     /* the answer's thisUpdate (good, revoked) */
} amt_ocsp_answer_t;

/**
 * Checks a response body (DER) to req as mod_ssl does: responseStatus
 * successful, a basic response, the nonce (when req has one), the
 * signature per OCSP_basic_verify with store (the trust anchors) and the
 * responder certificate file (trusted as such), the single response for
 * req's CertID, and, unless its status is unknown, thisUpdate/nextUpdate
 * against now with c's skew and max age.  Fills *ans on AMT_OCSP_OK;
 * *why says more on failure.  The store is only read.
 */
amt_ocsp_cause_e amt_ocsp_check(amt_ocsp_answer_t *ans, apr_pool_t *p,
                                const amt_ocsp_req_t *req,
                                const unsigned char *der, apr_size_t len,
                                X509_STORE *store, const amt_ocsp_conf_t *c,
                                time_t now, const char **why);

/** An answer from the cache is usable under c at now: not expired, and
 *  its thisUpdate within c's max age (another section may have cached it
 *  under a laxer one). */
int amt_ocsp_answer_usable(const amt_ocsp_answer_t *ans,
                           const amt_ocsp_conf_t *c, time_t now);

/** An answer as bytes for the cache, under key. */
void amt_ocsp_answer_encode(unsigned char out[AMT_OCSP_ANSWER_LEN],
                            const unsigned char key[AMT_OCSP_KEY_LEN],
                            const amt_ocsp_answer_t *ans);

/** Refuses (AMT_EBADVALUE) anything but exactly an encoded answer for key
 *  with values in range. */
apr_status_t amt_ocsp_answer_decode(amt_ocsp_answer_t *ans,
                                    const unsigned char key[AMT_OCSP_KEY_LEN],
                                    const unsigned char *buf, apr_size_t len);

#endif
