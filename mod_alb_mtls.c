/*
 * mod_alb_mtls.c - verify the client certificate chain that an AWS
 * Application Load Balancer forwards in mTLS passthrough mode, and publish
 * mod_ssl's SSL_CLIENT_* variables.
 *
 * This file is the httpd side: module record, hooks and the per-request
 * flow.  Directives live in mod_alb_mtls_config.c; decoding, verification
 * and variable formatting live in src/ (APR and OpenSSL only).
 *
 * Request flow:
 *   post_read_request  strip the certificate headers when the TCP peer is
 *                      not a trusted proxy (before any other module sees
 *                      them); capture them, as read, when it is: every
 *                      verdict of the request is made from that capture
 *   input filter       on requests with a body: remove certificate headers
 *                      that arrive as chunked trailers (MergeTrailers)
 *   check_access_ex    decode + parse + verify (once per request; internal
 *                      redirects and subrequests reuse the result), set the
 *                      user, refuse under `require` / AlbMtlsRequireCN
 *   fixups (first)     the same access decision again wherever
 *                      check_access_ex did not run for this request (it is
 *                      skipped under `Satisfy Any` once an access_checker
 *                      grants, or when another module's check_access_ex
 *                      returns OK first); no response of a request the
 *                      module decides on is stored by mod_cache
 *   fixups             export the variables (after mod_ssl, mod_env and
 *                      mod_rewrite, so that only the module's SSL_CLIENT_*
 *                      reach the application): StdEnvVars' whole set, or
 *                      only those AlbMtlsExport lists
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_authz.h"
#include "mod_alb_mtls_cache.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_counters.h"
#include "mod_alb_mtls_fakeauth.h"
#include "mod_alb_mtls_lookup.h"
#include "mod_alb_mtls_proxy.h"
#include "mod_alb_mtls_reload.h"
#include "mod_alb_mtls_verdict.h"
#include "amt_verify.h"
#include "amt_vars.h"

/* ------------------------------------------------------------------ */
/* hooks                                                               */

static int amt_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    (void)pconf;
    amt_verify_init();
    return OK;
}

/* "the main server" or "virtual host <name> (<file>:<line>)" for logs */
static const char *server_label(apr_pool_t *p, const server_rec *s)
{
    if (!s->is_virtual) return "the main server";
    return apr_psprintf(p, "virtual host %s (%s:%d)",
                        s->server_hostname ? s->server_hostname : "(unnamed)",
                        s->defn_name ? s->defn_name : "?",
                        (int)s->defn_line_number);
}

/* Runs after the configuration is read, also for `apachectl -t`. */
static int amt_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *main_server)
{
    server_rec *s;
    int rc = OK;

    (void)pconf;
    (void)plog;
    for (s = main_server; s != NULL; s = s->next) {
        amt_srv_conf *sc = ap_get_module_config(s->module_config,
                                                &alb_mtls_module);
        if (sc->crl_check_where != NULL && !sc->has_crl) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, AMTLOGNO(00040)
                         "AlbMtlsCRLCheck at %s turns revocation checking "
                         "on, but no AlbMtlsCRLFile or AlbMtlsCRLPath is set "
                         "for %s", sc->crl_check_where,
                         server_label(ptemp, s));
            rc = HTTP_INTERNAL_SERVER_ERROR;
        }
        if (sc->format_checks != NULL) {
            int i;
            for (i = 0; i < sc->format_checks->nelts; i++) {
                const amt_format_check_t *chk = &APR_ARRAY_IDX(
                    sc->format_checks, i, amt_format_check_t);
                if (chk->dc->header != NULL) continue;
                ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, AMTLOGNO(00018)
                             "AlbMtlsHeaderFormat %s at %s has no default "
                             "header name: set AlbMtlsHeader in the same "
                             "section", amt_format_name(chk->dc->format),
                             chk->where);
                rc = HTTP_INTERNAL_SERVER_ERROR;
            }
        }
        if (sc->proxy_verified_where != NULL
            && ap_state_query(AP_SQ_MAIN_STATE)
               != AP_SQ_MS_CREATE_PRE_CONFIG) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, AMTLOGNO(00017)
                         "%s trusts its proxies' verification: "
                         "AlbMtlsProxyVerified on at %s publishes forwarded "
                         "certificates from AlbMtlsTrustedProxy peers as "
                         "SUCCESS without verifying them",
                         server_label(ptemp, s), sc->proxy_verified_where);
        }
        if (sc->verify_where == NULL) continue;
        if (!sc->has_trust && sc->proxy_verified_where == NULL) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, AMTLOGNO(00002)
                         "AlbMtlsVerifyClient at %s turns verification on, "
                         "but no AlbMtlsCAFile or AlbMtlsCAPath is set for "
                         "%s", sc->verify_where, server_label(ptemp, s));
            rc = HTTP_INTERNAL_SERVER_ERROR;
        }
        if (s->limit_req_fieldsize < AMT_ALB_FIELD_LIMIT) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, AMTLOGNO(00003)
                         "LimitRequestFieldSize is %d for %s, where "
                         "AlbMtlsVerifyClient is on (%s): an ALB forwards "
                         "chains of up to %d bytes, and a longer header gets "
                         "400 before the module sees it; set "
                         "LimitRequestFieldSize %d",
                         s->limit_req_fieldsize, server_label(ptemp, s),
                         sc->verify_where,
                         AMT_ALB_FIELD_LIMIT, AMT_ALB_FIELD_LIMIT);
        }
    }
    return rc;
}

static int cn_allowed(request_rec *r, const amt_dir_conf *dc,
                      const amt_verdict_t *v, const char **cn)
{
    int i;

    *cn = amt_verdict_subject_cn(r, v);
    if (*cn == NULL) return 0;
    for (i = 0; i < dc->require_cn->nelts; i++) {
        if (strcmp(*cn, APR_ARRAY_IDX(dc->require_cn, i, const char *)) == 0) {
            return 1;
        }
    }
    return 0;
}

static void set_user(request_rec *r, const amt_dir_conf *dc,
                     amt_verdict_t *v)
{
    const char *user = amt_verdict_var(r, v, dc->user_var,
                                       amt_conf_options(dc));

    if (user == NULL || *user == '\0') {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00004)
                      "AlbMtlsUserName %s has no value for this certificate; "
                      "user not set", dc->user_var);
        return;
    }
    r->user = (char *)user;
    r->ap_auth_type = "ClientCert";
}

/* Whether r may go on under dc: DECLINED, or HTTP_FORBIDDEN (logged once
 * per verdict) or HTTP_INTERNAL_SERVER_ERROR.  Only SUCCESS counts as a
 * verified certificate here: GENEROUS grants nothing. */
static int access_decision(request_rec *r, const amt_dir_conf *dc,
                           amt_verdict_t **vp)
{
    amt_verify_mode_e mode = amt_conf_mode(dc);
    amt_verdict_t *v;
    const char *cn;

    *vp = NULL;
    if (dc->trust == NULL && mode == AMT_VERIFY_REQUIRE
        && !amt_conf_proxy_verified(dc)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00005)
                      "AlbMtlsVerifyClient require applies to %s, but no "
                      "AlbMtlsCAFile or AlbMtlsCAPath does",
                      ap_escape_logitem(r->pool, r->uri));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    *vp = v = amt_verdict_for(r, dc);

    if (mode == AMT_VERIFY_REQUIRE && !amt_verdict_is_verified(v)) {
        if (amt_verdict_log_once(v)) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00101)
                          "client certificate refused: %s %s",
                          amt_verdict_result(v)->outcome == AMT_OUTCOME_NONE
                              ? "no client certificate"
                              : amt_verdict_result(v)->reason,
                          amt_verdict_log_where(r, v));
        }
        return HTTP_FORBIDDEN;
    }
    if (dc->require_cn != NULL && !amt_verdict_is_verified(v)) {
        if (amt_verdict_log_once(v)) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00105)
                          "client certificate refused: AlbMtlsRequireCN needs "
                          "a verified certificate, SSL_CLIENT_VERIFY is %s %s",
                          amt_result_string(r->pool, amt_verdict_result(v)),
                          amt_verdict_log_where(r, v));
        }
        return HTTP_FORBIDDEN;
    }
    if (amt_verdict_result(v)->outcome == AMT_OUTCOME_FAILED
        && amt_verdict_log_once(v)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00102)
                      "client certificate not verified: %s %s",
                      amt_verdict_result(v)->reason,
                      amt_verdict_log_where(r, v));
    }
    if (dc->require_cn != NULL && !cn_allowed(r, dc, v, &cn)) {
        if (amt_verdict_log_once(v)) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00103)
                          "client certificate refused: subject CN \"%s\" is "
                          "not one of AlbMtlsRequireCN %s",
                          cn ? ap_escape_logitem(r->pool, cn) : "(none)",
                          amt_verdict_log_where(r, v));
        }
        return HTTP_FORBIDDEN;
    }
    return DECLINED;
}

/* AlbMtlsUserName, as SSLUserName: ignored where FakeBasicAuth makes the
 * user, and only from a verified (SUCCESS) certificate */
static void maybe_set_user(request_rec *r, const amt_dir_conf *dc,
                           amt_verdict_t *v)
{
    if (dc->user_var == NULL
        || (amt_conf_options(dc) & AMT_OPT_FAKE_BASIC_AUTH)) {
        return;
    }
    if (amt_verdict_is_verified(v)) {
        set_user(r, dc, v);
    }
    else if (amt_verdict_result(v)->outcome == AMT_OUTCOME_GENEROUS) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00107)
                      "AlbMtlsUserName %s: no user from a GENEROUS "
                      "certificate (optional_no_ca: not verified) %s",
                      dc->user_var, amt_verdict_log_where(r, v));
    }
}

/* set in r->notes once check_access_ex has decided for r itself (notes
 * are fresh on every subrequest and internal redirect) */
#define NOTE_DECIDED "alb-mtls-access-decided"

static int amt_check_access(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    amt_verdict_t *v;
    int rc;

    if (amt_conf_mode(dc) == AMT_VERIFY_NONE) return DECLINED;
    if ((rc = access_decision(r, dc, &v)) != DECLINED) return rc;
    maybe_set_user(r, dc, v);
    apr_table_setn(r->notes, NOTE_DECIDED, "1");
    return DECLINED;
}

/* The decision again, for every request that reaches its handler without
 * check_access_ex having run for it: fixups run for every request,
 * subrequest and internal redirect that gets as far as a handler. */
static int amt_enforce(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    amt_verdict_t *v;
    int rc;

    if (amt_conf_mode(dc) == AMT_VERIFY_NONE) return DECLINED;
    /* a response that depends on the forwarded certificate must not be
     * served to another client from mod_cache (its quick handler runs
     * before any access hook) */
    r->no_cache = 1;
    if (apr_table_get(r->notes, NOTE_DECIDED) != NULL) return DECLINED;
    if ((rc = access_decision(r, dc, &v)) != DECLINED) return rc;
    if (r->user == NULL) maybe_set_user(r, dc, v);
    return DECLINED;
}

/* AlbMtlsExport: SSL_CLIENT_VERIFY and the listed variables, each as a
 * lookup answers it; ExportCertData's variables as without the list */
static void export_listed(request_rec *r, amt_verdict_t *v,
                          const apr_array_header_t *names, int flags)
{
    apr_table_t *env = r->subprocess_env;
    int i;

    apr_table_setn(env, "SSL_CLIENT_VERIFY",
                   amt_result_string(r->pool, amt_verdict_result(v)));
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *value = amt_verdict_var(r, v, name, flags);
        if (value != NULL && *value != '\0') {
            apr_table_setn(env, name, value);
        }
    }
    if (flags & AMT_OPT_EXPORT_CERT_DATA) {
        amt_verdict_export(r, v, env, flags & ~AMT_OPT_STD_ENV_VARS);
    }
}

static int amt_fixups(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    int flags = amt_conf_options(dc);
    amt_verdict_t *v;

    if (amt_conf_mode(dc) == AMT_VERIFY_NONE) return DECLINED;
    v = amt_verdict_for(r, dc);
    /* where the module is on, the SSL_CLIENT_* of the environment are its
     * own, whether it exports any or not */
    if (!amt_lookup_env_claim(r, v, r->subprocess_env)) return DECLINED;
    if (!(flags & (AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA))) {
        return DECLINED;
    }
    if ((flags & AMT_OPT_STD_ENV_VARS) && dc->export_names != NULL
        && dc->export_names->nelts > 0) {
        export_listed(r, v, dc->export_names, flags);
    }
    else {
        amt_verdict_export(r, v, r->subprocess_env, flags);
    }
    return DECLINED;
}

static void amt_register_hooks(apr_pool_t *p)
{
    /* export after mod_ssl, so that on an HTTPS hop from the load balancer
     * mod_ssl's SSL_CLIENT_VERIFY=NONE does not overwrite ours, and after
     * the modules that put configured values into the environment in
     * fixups (SetEnv, per-directory RewriteRule [E=]), so that where the
     * module is on only its own SSL_CLIENT_* reach the application */
    static const char *const export_after[] = { "mod_ssl.c", "mod_env.c",
                                                "mod_rewrite.c", NULL };

    ap_hook_pre_config(amt_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(amt_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* check_access_ex runs the first hook that does not decline: first of
     * all, so that no other module's OK skips the decision */
    ap_hook_check_access_ex(amt_check_access, NULL, NULL,
                            APR_HOOK_REALLY_FIRST, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_fixups(amt_enforce, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_fixups(amt_fixups, export_after, NULL, APR_HOOK_MIDDLE);
    /* trusted proxies and the certificate headers they send */
    amt_proxy_register_hooks(p);
    /* lookups, Require providers, FakeBasicAuth */
    amt_lookup_register(p);
    amt_authz_register(p);
    amt_fakeauth_register(p);
    /* result cache and mod_status counters */
    amt_cache_register_hooks(p);
    amt_counters_register_hooks(p);
    /* CA and CRL files read again while httpd runs; their mod_status rows
     * after the counters' */
    amt_reload_register_hooks(p);
}

/* APLOG_USE_MODULE is in mod_alb_mtls.h, so no AP_DECLARE_MODULE */
module AP_MODULE_DECLARE_DATA alb_mtls_module = {
    STANDARD20_MODULE_STUFF,
    amt_create_dir_conf,
    amt_merge_dir_conf,
    amt_create_srv_conf,
    amt_merge_srv_conf,
    amt_cmds,
    amt_register_hooks,
    AP_MODULE_FLAG_NONE
};
