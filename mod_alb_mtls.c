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
 *   post_read_request  strip the header when the TCP peer is not a trusted
 *                      proxy (before any other module sees it)
 *   check_access_ex    decode + parse + verify (once per request; internal
 *                      redirects and subrequests reuse the result), set the
 *                      user, refuse under `require` / AlbMtlsRequireCN
 *   fixups             export the variables (after mod_ssl's fixup)
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "mod_alb_mtls_private.h"
#include "amt_verify.h"
#include "amt_vars.h"

/* ------------------------------------------------------------------ */
/* hooks                                                               */

static int amt_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    amt_verify_init();
    if (amt_default_proxies_make(pconf) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, NULL, AMTLOGNO(00001)
                     "cannot build the default AlbMtlsTrustedProxy list");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
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
        if (sc->verify_where == NULL) continue;
        if (!sc->has_trust) {
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

typedef struct {
    const amt_srv_conf *sc;
    apr_array_header_t *doomed;
} strip_ctx;

/* Names compare case-insensitively with '_' equal to '-'. */
static int header_matches(const char *key, const char *name)
{
    for (; *name; key++, name++) {
        char a = *key == '_' ? '-' : apr_tolower(*key);
        char b = *name == '_' ? '-' : apr_tolower(*name);
        if (a != b) return 0;
    }
    return *key == '\0' || *key == '-' || *key == '_';
}

static int collect_doomed(void *baton, const char *key, const char *value)
{
    strip_ctx *ctx = baton;
    int i;

    (void)value;
    if (header_matches(key, AMT_DEFAULT_HEADER)) {
        APR_ARRAY_PUSH(ctx->doomed, const char *) = key;
        return 1;
    }
    for (i = 0; i < ctx->sc->headers->nelts; i++) {
        if (header_matches(key, APR_ARRAY_IDX(ctx->sc->headers, i,
                                              const char *))) {
            APR_ARRAY_PUSH(ctx->doomed, const char *) = key;
            return 1;
        }
    }
    return 1;
}

static int amt_post_read_request(request_rec *r)
{
    const amt_srv_conf *sc = ap_get_module_config(r->server->module_config,
                                                  &alb_mtls_module);
    strip_ctx ctx;
    int i;

    if (amt_peer_is_trusted(sc, r->connection->client_addr)) return DECLINED;
    ctx.sc = sc;
    ctx.doomed = apr_array_make(r->pool, 1, sizeof(const char *));
    apr_table_do(collect_doomed, &ctx, r->headers_in, NULL);
    for (i = 0; i < ctx.doomed->nelts; i++) {
        const char *key = APR_ARRAY_IDX(ctx.doomed, i, const char *);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00104)
                      "removed header %s sent by untrusted peer %s (not in "
                      "AlbMtlsTrustedProxy)", ap_escape_logitem(r->pool, key),
                      r->connection->client_ip);
        apr_table_unset(r->headers_in, key);
    }
    return DECLINED;
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
                                       amt_conf_vars_flags(dc));

    if (user == NULL || *user == '\0') {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00004)
                      "AlbMtlsUserName %s has no value for this certificate; "
                      "user not set", dc->user_var);
        return;
    }
    r->user = (char *)user;
    r->ap_auth_type = "ClientCert";
}

static int amt_check_access(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    amt_verify_mode_e mode = amt_conf_mode(dc);
    amt_verdict_t *v;
    const char *cn;

    if (mode == AMT_VERIFY_NONE) return DECLINED;
    if (dc->trust == NULL && mode == AMT_VERIFY_REQUIRE) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00005)
                      "AlbMtlsVerifyClient require applies to %s, but no "
                      "AlbMtlsCAFile or AlbMtlsCAPath does",
                      ap_escape_logitem(r->pool, r->uri));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    v = amt_verdict_for(r, dc);

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
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00103)
                      "client certificate refused: subject CN \"%s\" is not "
                      "one of AlbMtlsRequireCN %s",
                      cn ? ap_escape_logitem(r->pool, cn) : "(none)",
                      amt_verdict_log_where(r, v));
        return HTTP_FORBIDDEN;
    }
    /* as SSLUserName, ignored where FakeBasicAuth makes the user */
    if (dc->user_var != NULL && amt_verdict_is_verified(v)
        && !(amt_conf_options(dc) & AMT_OPT_FAKE_BASIC_AUTH)) {
        set_user(r, dc, v);
    }
    return DECLINED;
}

static int amt_fixups(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    int flags = amt_conf_vars_flags(dc);
    amt_verdict_t *v;

    if (amt_conf_mode(dc) == AMT_VERIFY_NONE) return DECLINED;
    if (!(flags & (AMT_VARS_STD | AMT_VARS_CERTDATA))) return DECLINED;
    v = amt_verdict_for(r, dc);
    if (!amt_lookup_env_claim(r, v, r->subprocess_env)) return DECLINED;
    amt_verdict_export(r, v, r->subprocess_env, flags);
    return DECLINED;
}

static void amt_register_hooks(apr_pool_t *p)
{
    /* export after mod_ssl, so that on an HTTPS hop from the load balancer
     * mod_ssl's SSL_CLIENT_VERIFY=NONE does not overwrite ours */
    static const char *const after_ssl[] = { "mod_ssl.c", NULL };

    ap_hook_pre_config(amt_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(amt_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(amt_post_read_request, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_check_access_ex(amt_check_access, NULL, NULL, APR_HOOK_FIRST,
                            AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_fixups(amt_fixups, after_ssl, NULL, APR_HOOK_MIDDLE);
    /* lookups, Require providers, FakeBasicAuth */
    amt_lookup_register(p);
    amt_authz_register(p);
    amt_fakeauth_register(p);
    /* result cache and mod_status counters */
    amt_cache_register_hooks(p);
    amt_status_register_hooks(p);
}

/* APLOG_USE_MODULE is in mod_alb_mtls_private.h, so no AP_DECLARE_MODULE */
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
