/*
 * amt_crl.h - certificate revocation lists, loaded when a source is read
 * (start-up, graceful restart, AlbMtlsReloadInterval: amt_source.h),
 * read-only afterwards, shared by all threads.  Semantics of the check follow mod_ssl's SSLCARevocationCheck.
 */
#ifndef AMT_CRL_H
#define AMT_CRL_H

#include <time.h>
#include <apr_pools.h>
#include <openssl/x509.h>

typedef struct amt_crl_t amt_crl_t;

#define AMT_CRL_DIGEST_LEN 32

/** AlbMtlsCRLCheck modes (SSLCARevocationCheck) */
typedef enum {
    AMT_CRL_CHECK_UNSET = -1,
    AMT_CRL_CHECK_NONE = 0,
    AMT_CRL_CHECK_LEAF,     /* X509_V_FLAG_CRL_CHECK: the leaf only */
    AMT_CRL_CHECK_CHAIN     /* + X509_V_FLAG_CRL_CHECK_ALL: every
                             * certificate, the root included */
} amt_crl_check_e;

/**
 * Parses "none|leaf|chain [no_crl_for_cert_ok]" (case-insensitive, as
 * mod_ssl).  *no_crl_ok is set to 1 when the flag is given.  On failure
 * returns AMT_EBADVALUE with *err (from p) saying why.
 */
apr_status_t amt_crl_parse_check(amt_crl_check_e *mode, int *no_crl_ok,
                                 apr_pool_t *p, const char *args,
                                 const char **err);

/** An empty set of CRLs; freed by a cleanup on p. */
apr_status_t amt_crl_make(amt_crl_t **crl, apr_pool_t *p);

/**
 * Adds every CRL of a PEM file ("BEGIN X509 CRL").  Fails (AMT_ETRUST, *err
 * from p naming the file) when the path is missing, unreadable, not a
 * regular file, not PEM, or holds no CRL.
 */
apr_status_t amt_crl_add_file(amt_crl_t *crl, const char *path,
                              apr_pool_t *p, const char **err);

/**
 * Adds the CRLs of a hashed directory: every file named <8 hex>.r<n> (as
 * `openssl rehash` names CRL links) is read now, not lazily, so that the
 * CRLs change only when the source is read again.  Fails when the path is
 * not a readable directory, holds no such link, or a link is not a CRL.
 */
apr_status_t amt_crl_add_dir(amt_crl_t *crl, const char *path,
                             apr_pool_t *p, const char **err);

/** The CRLs, for X509_STORE_CTX_set0_crls (the stack stays owned by crl;
 *  only read during verification). */
STACK_OF(X509_CRL) *amt_crl_stack(const amt_crl_t *crl);

/** SHA-256 over the DER of every CRL loaded, in order (content-based: equal
 *  on every host for equal files). */
const unsigned char *amt_crl_digest(const amt_crl_t *crl);

/**
 * The earliest moment after `now` at which a loaded CRL changes state: the
 * earliest nextUpdate (even when already past: then the CRL has expired and
 * the value is <= now), or a lastUpdate still in the future.  0 when no CRL
 * has either.
 */
time_t amt_crl_not_after(const amt_crl_t *crl, time_t now);

/** Number of CRLs in the set. */
int amt_crl_count(const amt_crl_t *crl);

/**
 * The i-th CRL (0 .. amt_crl_count()-1): its issuer as a one-line RFC 2253
 * DN (from p), its thisUpdate and nextUpdate (0: none).  For status pages
 * and warnings.
 */
void amt_crl_describe(const amt_crl_t *crl, int i, apr_pool_t *p,
                      const char **issuer, time_t *this_update,
                      time_t *next_update);

/** Number of CRLs whose nextUpdate is before `now` (for a start-up warning). */
int amt_crl_expired_count(const amt_crl_t *crl, time_t now);

#endif
