/*
 * amt_verify.h - chain verification with mod_ssl's semantics.
 */
#ifndef AMT_VERIFY_H
#define AMT_VERIFY_H

#include <time.h>
#include <apr_pools.h>
#include "amt_chain.h"
#include "amt_crl.h"
#include "amt_ocsp.h"
#include "amt_trust.h"

typedef enum {
    AMT_OUTCOME_NONE = 0,   /* no certificate was presented */
    AMT_OUTCOME_SUCCESS,
    AMT_OUTCOME_GENEROUS,   /* optional_no_ca: failed only for want of a
                             * trusted issuer */
    AMT_OUTCOME_FAILED
} amt_outcome_e;

/** Why a result is FAILED: the one list of failure classes (the counters
 *  count by it).  AMT_FAIL_NONE for every other outcome. */
typedef enum {
    AMT_FAIL_NONE = 0,
    AMT_FAIL_MALFORMED,     /* the header did not decode or parse */
    AMT_FAIL_CONFIG,        /* the server's side: no trust anchors where
                             * verification is on, an internal error */
    AMT_FAIL_UNTRUSTED,     /* no trusted issuer */
    AMT_FAIL_EXPIRED,
    AMT_FAIL_NOT_YET_VALID,
    AMT_FAIL_REVOKED,
    AMT_FAIL_CHAIN_TOO_LONG,
    AMT_FAIL_OTHER,         /* any other OpenSSL verify error */
    AMT_FAIL_COUNT
} amt_failure_e;

typedef struct amt_result_t {
    amt_outcome_e outcome;
    int x509_error;         /* OpenSSL X509_V_ERR_*, 0 when not from OpenSSL */
    int error_depth;        /* depth of the failing certificate, -1 if none */
    const char *reason;     /* FAILED: the reason text; otherwise NULL */
    time_t recheck_at;      /* the earliest notBefore or notAfter, after the
                             * verification time, of every certificate the
                             * verification looked at (the path it built,
                             * trust anchor included): the verdict may
                             * change then; 0 when none */
    amt_failure_e failure;  /* FAILED: its class; otherwise AMT_FAIL_NONE */
} amt_result_t;

typedef struct amt_policy_t {
    const amt_trust_t *trust;
    int depth;              /* as SSLVerifyDepth: leaf = 0, anchor counts */
    int no_ca_ok;           /* optional_no_ca */
    /* revocation (AlbMtlsCRLFile/Path, AlbMtlsCRLCheck); all zero: none */
    const amt_crl_t *crl;   /* NULL: no CRL reaches this policy */
    int crl_check;          /* amt_crl_check_e: NONE, LEAF or CHAIN */
    int crl_no_crl_ok;      /* no_crl_for_cert_ok */
    const amt_ocsp_conf_t *ocsp;    /* AlbMtlsOCSP*; NULL or off: none
                                     * (checked by the glue after
                                     * amt_verify_chain_path) */
} amt_policy_t;

/* trust digest, 10 bytes of settings, CRL digest, OCSP settings */
#define AMT_POLICY_MATERIAL_LEN (AMT_TRUST_DIGEST_LEN + 10 + AMT_CRL_DIGEST_LEN \
                                 + AMT_OCSP_MATERIAL_LEN)

/**
 * Everything in the policy that can change a verdict, as bytes: the trust
 * store's content digest (amt_trust_digest), depth, no_ca_ok and, when a
 * CRL check is on, the CRLs' content digest (amt_crl_digest), the check
 * mode and no_crl_for_cert_ok.  Equal content gives equal bytes in every
 * process and host.  Whoever adds a field to amt_policy_t adds it here and
 * in amt_policy_same().  amt_entry_key() hashes these bytes together with
 * the header value, in one SHA-256.
 */
void amt_policy_material(unsigned char out[AMT_POLICY_MATERIAL_LEN],
                         const amt_policy_t *policy);

/** True when a and b give the same verdict for every chain (same store
 *  and CRL objects and same settings): for per-request memos. */
int amt_policy_same(const amt_policy_t *a, const amt_policy_t *b);

/**
 * The time at which the policy's own inputs may change the verdict for an
 * unchanged chain, or 0 when there is none: with a CRL check on, the
 * earliest nextUpdate of the CRLs in use (already past for an expired CRL),
 * or a CRL's lastUpdate that is still in the future.  A cached result must
 * not outlive it.
 */
time_t amt_policy_not_after(const amt_policy_t *policy);

/**
 * Verifies chain->leaf with chain->sent as untrusted intermediates against
 * policy->trust, with the TLS-client purpose, at time `at` (0 = now), and
 * with policy->crl under policy->crl_check as mod_ssl's
 * SSLCARevocationCheck (leaf: the leaf's issuer's CRL; chain: a CRL for
 * every certificate, the root included; no_crl_for_cert_ok forgives only
 * "unable to get certificate CRL").
 * Fills *res (res->recheck_at included); returns APR_SUCCESS whenever a verdict was reached (also for
 * FAILED), an error only when OpenSSL could not run (out of memory).
 * Thread-safe: the trust store is only read.
 */
apr_status_t amt_verify_chain(amt_result_t *res, apr_pool_t *p,
                              const amt_policy_t *policy,
                              const amt_chain_t *chain, time_t at);

/**
 * As amt_verify_chain(), and, when path is not NULL and the outcome is
 * SUCCESS or GENEROUS, *path is the path OpenSSL built (leaf first, trust
 * anchor last; freed with p), for the OCSP check.
 */
apr_status_t amt_verify_chain_path(amt_result_t *res, apr_pool_t *p,
                                   const amt_policy_t *policy,
                                   const amt_chain_t *chain, time_t at,
                                   STACK_OF(X509) **path);

/** Sets up OpenSSL ex_data; call once at start-up (child_init or main)
 *  before threads verify.  amt_verify_chain() calls it too. */
void amt_verify_init(void);

/** The failure class of an OpenSSL verify error (X509_V_ERR_*, not 0). */
amt_failure_e amt_failure_of_x509(int x509_error);

/** A failure class's name ("Malformed", "Config", "Untrusted", ...) and a
 *  short description, for counters and status pages. */
const char *amt_failure_name(amt_failure_e failure);
const char *amt_failure_description(amt_failure_e failure);

/** "NONE", "SUCCESS", "GENEROUS" or "FAILED:<reason>". */
const char *amt_result_string(apr_pool_t *p, const amt_result_t *res);

/** A FAILED result of the module's own: failure is AMT_FAIL_MALFORMED or
 *  AMT_FAIL_CONFIG, reason a fixed text. */
void amt_result_fail(amt_result_t *res, amt_failure_e failure,
                     const char *reason);

#endif
