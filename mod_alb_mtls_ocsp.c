/*
 * mod_alb_mtls_ocsp.c - OCSP for forwarded client certificates, with
 * mod_ssl's semantics (SSLOCSPEnable and friends).
 *
 * The check runs on a verdict-cache miss only, after the chain verified:
 * `on` checks every certificate of the path OpenSSL built whose issuer is
 * known (the self-issued trust anchor is skipped, as mod_ssl skips valid
 * self-issued certificates), from the top down, and stops at the first
 * that fails; `leaf` checks the leaf only.  A revoked certificate gives
 * "certificate revoked"; every other failure (no responder, unreachable,
 * timeout, HTTP status, malformed, bad nonce or signature, too old, status
 * unknown) gives mod_ssl's "application verification failure".  Never
 * GENEROUS: without a trusted issuer there is nothing to ask about.
 *
 * Answers (good or revoked) are kept in the AlbMtlsCache under a key made
 * from the CertID (issuer name hash, issuer key hash, serial), until their
 * nextUpdate, bounded by AlbMtlsOCSPResponseMaxAge and AlbMtlsCacheTimeout;
 * the verdict's recheck_at is bounded by the answers it used, so that a
 * cached verdict never outlives them.  A failed check is not cached.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_main.h"
#include "http_core.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_cache.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_ocsp.h"
#include "amt_error.h"
#include "amt_http.h"
#include "amt_trust.h"
#include "amt_vars.h"

/* ------------------------------------------------------------------ */
/* directives                                                          */

static amt_ocsp_conf_t *own_conf(cmd_parms *cmd, void *mconfig)
{
    amt_dir_conf *dc = mconfig;

    if (dc->ocsp == NULL) dc->ocsp = amt_ocsp_conf_make(cmd->pool);
    /* a section's own settings, only ever written here */
    return (amt_ocsp_conf_t *)dc->ocsp;
}

static const char *fail(cmd_parms *cmd, const char *msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

const char *amt_ocsp_cmd_enable(cmd_parms *cmd, void *mconfig,
                                const char *args)
{
    amt_ocsp_conf_t *c = own_conf(cmd, mconfig);
    const char *why;
    int mode, no_ok;

    if (amt_ocsp_parse_mode(&mode, &no_ok, cmd->temp_pool, args, &why)
        != APR_SUCCESS) {
        return fail(cmd, why);
    }
    c->mode = mode;
    c->no_ocsp_ok = no_ok;
    return NULL;
}

const char *amt_ocsp_cmd_responder(cmd_parms *cmd, void *mconfig,
                                   const char *arg)
{
    const char *why;

    if (amt_ocsp_set_responder(own_conf(cmd, mconfig), cmd->pool, arg, &why)
        != APR_SUCCESS) {
        return fail(cmd, apr_psprintf(cmd->pool, "'%s': %s", arg, why));
    }
    return NULL;
}

const char *amt_ocsp_cmd_flag(cmd_parms *cmd, void *mconfig, int on)
{
    amt_ocsp_conf_t *c = own_conf(cmd, mconfig);

    if (cmd->info == AMT_OCSP_F_OVERRIDE) c->override = on ? 1 : 0;
    else c->nonce = on ? 1 : 0;
    return NULL;
}

const char *amt_ocsp_cmd_seconds(cmd_parms *cmd, void *mconfig,
                                 const char *arg)
{
    amt_ocsp_conf_t *c = own_conf(cmd, mconfig);
    const char *why;
    int v, min = cmd->info == AMT_OCSP_N_MAXAGE ? -1 : 0;

    if (amt_parse_int(&v, cmd->pool, arg, min,
                      cmd->info == AMT_OCSP_N_TIMEOUT ? 300 : 86400 * 366,
                      &why) != APR_SUCCESS) {
        return fail(cmd, why);
    }
    if (cmd->info == AMT_OCSP_N_TIMEOUT) {
        if (v == 0) return fail(cmd, "the timeout must be at least 1 s");
        c->timeout = v;
    }
    else if (cmd->info == AMT_OCSP_N_MAXAGE) c->max_age = v;
    else c->skew = v;
    return NULL;
}

const char *amt_ocsp_cmd_certs(cmd_parms *cmd, void *mconfig,
                               const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *why;

    if (path == NULL) {
        return fail(cmd, apr_psprintf(cmd->pool, "invalid path '%s'", arg));
    }
    if (ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_DUMP) return NULL;
    if (amt_ocsp_load_certs(own_conf(cmd, mconfig), cmd->pool, path, &why)
        != APR_SUCCESS) {
        return fail(cmd, why);
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* the check                                                           */

static const char *subject(request_rec *r, X509 *x)
{
    return amt_cert_subject_for_log(r->pool, x, AMT_LOG_SUBJECT_MAX);
}

/* the one line naming why a certificate's check failed */
static void log_cause(request_rec *r, amt_ocsp_cause_e cause, int depth,
                      X509 *cert, const char *url, const char *why)
{
    const char *s = subject(r, cert);

    if (why == NULL) why = "";
    url = url == NULL ? "(none)" : ap_escape_logitem(r->pool, url);
    switch (cause) {
    case AMT_OCSP_NO_RESPONDER:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00302)
                      "OCSP: no responder for certificate \"%s\" (depth "
                      "%d): no OCSP URL in it and no "
                      "AlbMtlsOCSPDefaultResponder (peer %s)", s, depth,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_BAD_URL:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00303)
                      "OCSP: unusable responder URL \"%s\" for certificate "
                      "\"%s\" (depth %d): %s (peer %s)",
                      url, s, depth, why,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_UNREACHABLE:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00304)
                      "OCSP: responder %s unreachable for certificate \"%s\" "
                      "(depth %d): %s (peer %s)", url, s, depth, why,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_TIMEOUT:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00305)
                      "OCSP: responder %s timed out for certificate \"%s\" "
                      "(depth %d): %s (peer %s)", url, s, depth, why,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_HTTP_STATUS:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00306)
                      "OCSP: responder %s answered HTTP %s for certificate "
                      "\"%s\" (depth %d) (peer %s)", url, why, s, depth,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_MALFORMED:
    case AMT_OCSP_UNSUCCESSFUL:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00307)
                      "OCSP: malformed or unsuccessful response from %s for "
                      "certificate \"%s\" (depth %d): %s (peer %s)", url, s, depth, why,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_BAD_SIGNATURE:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00308)
                      "OCSP: bad signature on the response from %s for "
                      "certificate \"%s\" (depth %d): %s (peer %s)", url, s, depth, why,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_BAD_NONCE:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00309)
                      "OCSP: nonce mismatch in the response from %s for "
                      "certificate \"%s\" (depth %d): %s (peer %s)", url, s, depth, why,
                      r->connection->client_ip);
        break;
    case AMT_OCSP_TOO_OLD:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00310)
                      "OCSP: response from %s for certificate \"%s\" (depth "
                      "%d) too old or outside its validity: %s (peer %s)",
                      url, s, depth, why,
                      r->connection->client_ip);
        break;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00311)
                      "OCSP: internal error checking certificate \"%s\" "
                      "(depth %d): %s (peer %s)", s, depth, why,
                      r->connection->client_ip);
        break;
    }
}

/* the answer for cert: from the cache, else from its responder */
static amt_ocsp_cause_e answer_for(request_rec *r, const amt_policy_t *policy,
                                   X509 *cert, X509 *issuer,
                                   amt_ocsp_answer_t *ans,
                                   const char **url, const char **why)
{
    const amt_ocsp_conf_t *c = policy->ocsp;
    time_t now = (time_t)apr_time_sec(apr_time_now());
    unsigned char rec[AMT_OCSP_ANSWER_LEN];
    apr_size_t rec_len = sizeof(rec);
    const unsigned char *body;
    apr_size_t body_len;
    amt_ocsp_req_t *req;
    amt_url_t u;
    amt_http_e he;
    amt_ocsp_cause_e cause;
    int status;

    *url = NULL;
    *why = NULL;
    if (amt_ocsp_request(&req, r->pool, c, cert, issuer) != APR_SUCCESS) {
        *why = "cannot build the OCSP request";
        return AMT_OCSP_INTERNAL;
    }
    /* as mod_ssl: a certificate without a usable responder fails (or is
     * skipped) whatever answer another section may have cached for it */
    if ((*url = amt_ocsp_responder_for(r->pool, c, cert)) == NULL) {
        return AMT_OCSP_NO_RESPONDER;
    }
    if (c != NULL && *url == c->responder) {
        u = c->responder_url;
    }
    else if (amt_url_parse(&u, r->pool, *url, why) != APR_SUCCESS) {
        return AMT_OCSP_BAD_URL;
    }
    if (amt_cache_record_get(r, req->key, rec, &rec_len) == APR_SUCCESS
        && amt_ocsp_answer_decode(ans, req->key, rec, rec_len) == APR_SUCCESS
        && amt_ocsp_answer_usable(ans, c, now)) {
        *url = NULL;                    /* logs say "the cache" */
        return AMT_OCSP_OK;
    }
    he = amt_http_post(r->pool, &u, "application/ocsp-request", req->der,
                       req->der_len,
                       apr_time_from_sec(amt_ocsp_timeout(c)), &body,
                       &body_len, &status, why);
    if (he != AMT_HTTP_OK) return amt_ocsp_cause_of_http(he);
    cause = amt_ocsp_check(ans, r->pool, req, body, body_len,
                           amt_trust_store(policy->trust), c, now, why);
    if (cause == AMT_OCSP_OK && ans->status != V_OCSP_CERTSTATUS_UNKNOWN) {
        int timeout = amt_cache_record_timeout(r);
        time_t until = ans->expires;

        if (timeout > 0) {
            if (until == 0 || until > now + timeout) until = now + timeout;
            /* the record's own bound is the store's: never 0 */
            ans->expires = until;
            amt_ocsp_answer_encode(rec, req->key, ans);
            /* the record carries the answer's own bound; the store's
             * bound is the cache's */
            amt_cache_record_put(r, req->key, until, rec, sizeof(rec));
        }
    }
    return cause;
}

static void fail_result(amt_result_t *res, int x509_error, int depth)
{
    res->outcome = AMT_OUTCOME_FAILED;
    res->x509_error = x509_error;
    res->failure = amt_failure_of_x509(x509_error);
    res->error_depth = depth;
    res->reason = X509_verify_cert_error_string(x509_error);
}

void amt_ocsp_apply(request_rec *r, const amt_policy_t *policy,
                    STACK_OF(X509) *path, amt_result_t *res)
{
    amt_ocsp_mode_e mode = amt_ocsp_mode(policy->ocsp);
    time_t now = (time_t)apr_time_sec(apr_time_now());
    time_t bound = 0;
    int i, n;

    if (mode == AMT_OCSP_OFF) return;
    if (res->outcome == AMT_OUTCOME_GENEROUS) {
        /* mod_ssl: "cannot perform OCSP validation for cert if issuer has
         * not been verified (optional_no_ca configured)" */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00300)
                      "OCSP: cannot check a certificate whose issuer is not "
                      "trusted (optional_no_ca); not GENEROUS but FAILED "
                      "(peer %s)", r->connection->client_ip);
        fail_result(res, X509_V_ERR_APPLICATION_VERIFICATION, 0);
        res->recheck_at = now;          /* nothing to keep */
        return;
    }
    if (res->outcome != AMT_OUTCOME_SUCCESS || path == NULL) return;
    n = sk_X509_num(path);
    for (i = n - 1; i >= 0; i--) {
        X509 *cert = sk_X509_value(path, i);
        amt_ocsp_answer_t ans;
        amt_ocsp_cause_e cause;
        const char *url, *why;

        if (mode == AMT_OCSP_LEAF && i != 0) continue;
        /* the trust anchor (self-issued), or a certificate whose issuer
         * the path does not hold: nothing to ask about */
        if (i + 1 >= n || X509_check_issued(cert, cert) == X509_V_OK) {
            continue;
        }
        cause = answer_for(r, policy, cert, sk_X509_value(path, i + 1), &ans,
                           &url, &why);
        if (cause == AMT_OCSP_NO_RESPONDER
            && amt_ocsp_no_ocsp_ok(policy->ocsp)) {
            continue;
        }
        if (cause != AMT_OCSP_OK) {
            log_cause(r, cause, i, cert, url, why);
            fail_result(res, X509_V_ERR_APPLICATION_VERIFICATION, i);
            res->recheck_at = now;      /* a failed check is not kept */
            return;
        }
        if (ans.status == V_OCSP_CERTSTATUS_UNKNOWN) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00301)
                          "OCSP: status unknown for certificate \"%s\" "
                          "(depth %d) at responder %s (peer %s)", subject(r, cert), i,
                          url ? ap_escape_logitem(r->pool, url) : "(cache)",
                      r->connection->client_ip);
            fail_result(res, X509_V_ERR_APPLICATION_VERIFICATION, i);
            res->recheck_at = now;
            return;
        }
        if (ans.expires != 0 && (bound == 0 || ans.expires < bound)) {
            bound = ans.expires;
        }
        if (ans.status == V_OCSP_CERTSTATUS_REVOKED) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00312)
                          "OCSP: certificate \"%s\" (depth %d) revoked "
                          "(reason %d), answer from %s (peer %s)", subject(r, cert), i,
                          ans.reason,
                          url ? ap_escape_logitem(r->pool, url) : "the cache",
                      r->connection->client_ip);
            fail_result(res, X509_V_ERR_CERT_REVOKED, i);
            break;
        }
    }
    if (bound != 0 && (res->recheck_at == 0 || bound < res->recheck_at)) {
        res->recheck_at = bound;
    }
}
