/*
 * amt_verify.c - verify a forwarded chain as mod_ssl verifies a TLS client.
 *
 * mod_ssl lets OpenSSL verify with the "ssl_client" defaults (TLS-client
 * purpose and trust) and enforces SSLVerifyDepth in its verify callback:
 * any certificate whose depth exceeds the limit fails with "certificate
 * chain too long" (leaf = 0, the trust anchor counts).  Under
 * optional_no_ca the callback forgives the errors that only mean "no
 * trusted issuer" and the result is GENEROUS.  This file does the same with
 * one X509_STORE_CTX per call; the store is only read.
 */
#include <string.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "amt_digest.h"
#include "amt_error.h"
#include "amt_verify.h"

typedef struct {
    int depth;
    int no_ca_ok;
    int no_crl_ok;          /* no_crl_for_cert_ok */
    int generous;           /* an error was forgiven */
} verify_state_t;

static int state_index = -1;

/* What the module knows of OpenSSL's verify errors: the failure class of
 * each, and whether mod_ssl forgives it under optional_no_ca. */
static const struct x509_failure {
    int x509_error;
    amt_failure_e failure;
    int no_ca;              /* GENEROUS under optional_no_ca */
} x509_failures[] = {
    /* X509_V_ERR_*, failure class, no_ca */
    { X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, AMT_FAIL_UNTRUSTED, 0 },
    { X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, AMT_FAIL_UNTRUSTED, 1 },
    { X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, AMT_FAIL_UNTRUSTED, 1 },
    { X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, AMT_FAIL_UNTRUSTED, 1 },
    { X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, AMT_FAIL_UNTRUSTED, 1 },
    { X509_V_ERR_CERT_UNTRUSTED, AMT_FAIL_UNTRUSTED, 1 },
    { X509_V_ERR_CERT_NOT_YET_VALID, AMT_FAIL_NOT_YET_VALID, 0 },
    { X509_V_ERR_CERT_HAS_EXPIRED, AMT_FAIL_EXPIRED, 0 },
    { X509_V_ERR_CERT_REVOKED, AMT_FAIL_REVOKED, 0 },
    { X509_V_ERR_CERT_CHAIN_TOO_LONG, AMT_FAIL_CHAIN_TOO_LONG, 0 },
};

static const struct x509_failure *x509_failure_of(int e)
{
    apr_size_t i;

    for (i = 0; i < sizeof(x509_failures) / sizeof(x509_failures[0]); i++) {
        if (x509_failures[i].x509_error == e) return &x509_failures[i];
    }
    return NULL;
}

static int error_is_no_ca(int e)
{
    const struct x509_failure *f = x509_failure_of(e);

    return f != NULL && f->no_ca;
}

amt_failure_e amt_failure_of_x509(int e)
{
    const struct x509_failure *f = x509_failure_of(e);

    return f != NULL ? f->failure : AMT_FAIL_OTHER;
}

static const struct {
    const char *name;
    const char *description;
} failure_names[AMT_FAIL_COUNT] = {
    [AMT_FAIL_NONE]           = { "None", "not failed" },
    [AMT_FAIL_MALFORMED]      = { "Malformed",
                                  "header did not decode or parse" },
    [AMT_FAIL_CONFIG]         = { "Config", "no trust anchors configured, or "
                                  "an internal error" },
    [AMT_FAIL_UNTRUSTED]      = { "Untrusted", "no trusted issuer" },
    [AMT_FAIL_EXPIRED]        = { "Expired", "certificate expired" },
    [AMT_FAIL_NOT_YET_VALID]  = { "NotYetValid", "certificate not yet valid" },
    [AMT_FAIL_REVOKED]        = { "Revoked", "certificate revoked" },
    [AMT_FAIL_CHAIN_TOO_LONG] = { "ChainTooLong", "chain too long" },
    [AMT_FAIL_OTHER]          = { "Other", "other reason" },
};

const char *amt_failure_name(amt_failure_e failure)
{
    return (unsigned)failure < AMT_FAIL_COUNT ? failure_names[failure].name
                                              : "Other";
}

const char *amt_failure_description(amt_failure_e failure)
{
    return (unsigned)failure < AMT_FAIL_COUNT
        ? failure_names[failure].description : "other reason";
}

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    verify_state_t *st = X509_STORE_CTX_get_ex_data(ctx, state_index);
    int err = X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);

    if (st == NULL) return ok;
    /* mod_ssl: SSLCARevocationCheck ... no_crl_for_cert_ok forgives a
     * certificate whose issuer has no CRL (and nothing else) */
    if (!ok && st->no_crl_ok && err == X509_V_ERR_UNABLE_TO_GET_CRL) {
        X509_STORE_CTX_set_error(ctx, X509_V_OK);
        ok = 1;
    }
    if (!ok && st->no_ca_ok && error_is_no_ca(err)) {
        st->generous = 1;
        X509_STORE_CTX_set_error(ctx, X509_V_OK);
        ok = 1;
    }
    if (ok && depth > st->depth) {
        X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_CHAIN_TOO_LONG);
        ok = 0;
    }
    return ok;
}

/* Called once, before threads exist (module init / test main); the index
 * is only read afterwards.  Calling it again is harmless. */
static void init_index(void)
{
    if (state_index < 0) {
        state_index = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL,
                                                      NULL);
    }
}

void amt_verify_init(void)
{
    init_index();
    amt_digest_init();
}

void amt_result_fail(amt_result_t *res, amt_failure_e failure,
                     const char *reason)
{
    res->outcome = AMT_OUTCOME_FAILED;
    res->failure = failure;
    res->x509_error = 0;
    res->error_depth = -1;
    res->reason = reason;
    res->recheck_at = 0;
}

/* the earliest validity bound after `now` of the path OpenSSL built (on
 * failure, as far as it got): a trust anchor that expires ends a SUCCESS
 * as surely as a leaf that does */
static time_t path_recheck_at(X509_STORE_CTX *ctx, time_t now)
{
    STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
    time_t at = 0;
    int i;

    for (i = 0; path != NULL && i < sk_X509_num(path); i++) {
        amt_cert_next_bound(&at, now, sk_X509_value(path, i));
    }
    return at;
}

static apr_status_t free_path(void *data)
{
    sk_X509_pop_free((STACK_OF(X509) *)data, X509_free);
    return APR_SUCCESS;
}

apr_status_t amt_verify_chain(amt_result_t *res, apr_pool_t *p,
                              const amt_policy_t *policy,
                              const amt_chain_t *chain, time_t at)
{
    return amt_verify_chain_path(res, p, policy, chain, at, NULL);
}

apr_status_t amt_verify_chain_path(amt_result_t *res, apr_pool_t *p,
                                   const amt_policy_t *policy,
                                   const amt_chain_t *chain, time_t at,
                                   STACK_OF(X509) **path)
{
    X509_STORE_CTX *ctx;
    verify_state_t st;
    int rc;

    if (path != NULL) *path = NULL;
    init_index();
    if (chain == NULL || chain->leaf == NULL) {
        res->outcome = AMT_OUTCOME_NONE;
        res->x509_error = 0;
        res->error_depth = -1;
        res->reason = NULL;
        res->recheck_at = 0;
        res->failure = AMT_FAIL_NONE;
        return APR_SUCCESS;
    }
    if (policy->trust == NULL || amt_trust_is_empty(policy->trust)) {
        amt_result_fail(res, AMT_FAIL_CONFIG, "no trust anchors configured");
        return APR_SUCCESS;
    }

    ERR_clear_error();
    if ((ctx = X509_STORE_CTX_new()) == NULL) return AMT_EOPENSSL;
    if (!X509_STORE_CTX_init(ctx, amt_trust_store(policy->trust), chain->leaf,
                             chain->sent)
        || !X509_STORE_CTX_set_default(ctx, "ssl_client")) {
        X509_STORE_CTX_free(ctx);
        ERR_clear_error();
        return AMT_EOPENSSL;
    }
    st.depth = policy->depth;
    st.no_ca_ok = policy->no_ca_ok;
    st.no_crl_ok = 0;
    st.generous = 0;
    if (policy->crl_check == AMT_CRL_CHECK_LEAF
        || policy->crl_check == AMT_CRL_CHECK_CHAIN) {
        unsigned long flags = X509_V_FLAG_CRL_CHECK;

        if (policy->crl_check == AMT_CRL_CHECK_CHAIN)
            flags |= X509_V_FLAG_CRL_CHECK_ALL;
        /* the stack is only read; the context does not free it.  Without
         * CRLs every check fails with "unable to get certificate CRL"
         * (fail closed; start-up refuses that configuration anyway) */
        if (policy->crl != NULL)
            X509_STORE_CTX_set0_crls(ctx, amt_crl_stack(policy->crl));
        X509_STORE_CTX_set_flags(ctx, flags);
        st.no_crl_ok = policy->crl_no_crl_ok;
    }
    X509_STORE_CTX_set_ex_data(ctx, state_index, &st);
    X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
    if (at != 0) {
        X509_STORE_CTX_set_time(ctx, 0, at);
    }

    rc = X509_verify_cert(ctx);
    if (rc == 1) {
        res->outcome = st.generous ? AMT_OUTCOME_GENEROUS
                                   : AMT_OUTCOME_SUCCESS;
        res->x509_error = 0;
        res->error_depth = -1;
        res->reason = NULL;
        res->failure = AMT_FAIL_NONE;
        if (path != NULL
            && (*path = X509_STORE_CTX_get1_chain(ctx)) != NULL) {
            apr_pool_cleanup_register(p, *path, free_path,
                                      apr_pool_cleanup_null);
        }
    }
    else {
        int err = X509_STORE_CTX_get_error(ctx);
        if (err == X509_V_OK) err = X509_V_ERR_UNSPECIFIED;
        res->outcome = AMT_OUTCOME_FAILED;
        res->x509_error = err;
        res->failure = amt_failure_of_x509(err);
        res->error_depth = X509_STORE_CTX_get_error_depth(ctx);
        /* static strings inside OpenSSL: safe to keep */
        res->reason = X509_verify_cert_error_string(err);
    }
    res->recheck_at = path_recheck_at(ctx, at != 0 ? at : time(NULL));
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return APR_SUCCESS;
}

void amt_policy_material(unsigned char out[AMT_POLICY_MATERIAL_LEN],
                         const amt_policy_t *policy)
{
    static const unsigned char no_trust[AMT_TRUST_DIGEST_LEN] = { 0 };
    static const unsigned char no_crl[AMT_CRL_DIGEST_LEN] = { 0 };
    int crl_on = policy->crl_check == AMT_CRL_CHECK_LEAF
                 || policy->crl_check == AMT_CRL_CHECK_CHAIN;
    unsigned char *s = out + AMT_TRUST_DIGEST_LEN;

    memcpy(out, policy->trust ? amt_trust_digest(policy->trust) : no_trust,
           AMT_TRUST_DIGEST_LEN);
    s[0] = 'v';                         /* layout version of this material */
    s[1] = 3;
    s[2] = (unsigned char)((policy->depth >> 24) & 0xff);
    s[3] = (unsigned char)((policy->depth >> 16) & 0xff);
    s[4] = (unsigned char)((policy->depth >> 8) & 0xff);
    s[5] = (unsigned char)(policy->depth & 0xff);
    s[6] = (unsigned char)(policy->no_ca_ok != 0);
    /* CRL settings count only where a check is on: with `none` the CRLs
     * change no verdict */
    s[7] = (unsigned char)(crl_on ? policy->crl_check : 0);
    s[8] = (unsigned char)(crl_on && policy->crl_no_crl_ok);
    s[9] = (unsigned char)(crl_on && policy->crl != NULL);
    memcpy(s + 10, crl_on && policy->crl ? amt_crl_digest(policy->crl)
                                         : no_crl, AMT_CRL_DIGEST_LEN);
    amt_ocsp_material(s + 10 + AMT_CRL_DIGEST_LEN, policy->ocsp);
}

static int crl_check_on(const amt_policy_t *p)
{
    return p->crl_check == AMT_CRL_CHECK_LEAF
        || p->crl_check == AMT_CRL_CHECK_CHAIN;
}

int amt_policy_same(const amt_policy_t *a, const amt_policy_t *b)
{
    if (a->trust != b->trust || a->depth != b->depth
        || (a->no_ca_ok != 0) != (b->no_ca_ok != 0)
        || crl_check_on(a) != crl_check_on(b)
        || !amt_ocsp_same(a->ocsp, b->ocsp)) {
        return 0;
    }
    if (!crl_check_on(a)) return 1;
    return a->crl == b->crl && a->crl_check == b->crl_check
        && (a->crl_no_crl_ok != 0) == (b->crl_no_crl_ok != 0);
}

time_t amt_policy_not_after(const amt_policy_t *policy)
{
    if (!crl_check_on(policy) || policy->crl == NULL) return 0;
    return amt_crl_not_after(policy->crl, time(NULL));
}

const char *amt_result_string(apr_pool_t *p, const amt_result_t *res)
{
    switch (res->outcome) {
    case AMT_OUTCOME_NONE:     return "NONE";
    case AMT_OUTCOME_SUCCESS:  return "SUCCESS";
    case AMT_OUTCOME_GENEROUS: return "GENEROUS";
    default:
        return apr_pstrcat(p, "FAILED:",
                           res->reason ? res->reason : "unknown error", NULL);
    }
}
