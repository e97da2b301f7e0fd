/*
 * mod_alb_mtls_lookup.c - answer SSL_CLIENT_* lookups with the forwarded
 * certificate's values:
 *
 *   ssl_var_lookup hook   ap_ssl_var_lookup(): mod_rewrite %{SSL:VAR},
 *                         mod_headers %{VAR}s, mod_proxy_ajp, mod_lua...
 *                         (mod_ssl is not on this hook, only its fallback,
 *                         so the hook is always asked first)
 *   expr_lookup hook      ap_expr %{SSL_CLIENT_*}: Require expr, <If>,
 *                         Header ... expr=, SetEnvIfExpr (before mod_ssl's,
 *                         which claims every SSL_* name)
 *   %{VAR}x log handler   mod_log_config's handler for x, registered after
 *                         mod_ssl's, escaped as mod_ssl 2.4.64+ escapes it
 *
 * The module answers only where it is on for the request's directory
 * (AlbMtlsVerifyClient not none) and the request carries a forwarded
 * certificate (any outcome but NONE); then it owns every SSL_CLIENT_* name
 * ("" for one it has no value for, so that a TLS client certificate on the
 * same connection never mixes in).  Everything else goes to mod_ssl (or
 * whoever else answers), so an HTTPS vhost with real TLS client
 * certificates keeps mod_ssl's values.  On plain HTTP without a forwarded
 * certificate SSL_CLIENT_VERIFY is NONE, as in the exported environment.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "mod_alb_mtls_compat.h"  /* http_ssl.h, or a fallback */
#include "ap_expr.h"
#include "apr_optional.h"
#include "apr_strings.h"
#include "mod_log_config.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_lookup.h"
#include "mod_alb_mtls_verdict.h"
#include "amt_vars.h"

#define CLIENT_PREFIX     "SSL_CLIENT_"
#define CLIENT_PREFIX_LEN 11

static int is_client_name(const char *name)
{
    return name != NULL && strncasecmp(name, CLIENT_PREFIX, CLIENT_PREFIX_LEN) == 0
        && name[CLIENT_PREFIX_LEN] != '\0';
}

const char *amt_lookup_var(request_rec *r, const char *name)
{
    const amt_dir_conf *dc;
    amt_verdict_t *v;
    const char *val;

    if (r == NULL || !is_client_name(name)) return NULL;
    dc = ap_get_module_config(r->per_dir_config, &alb_mtls_module);
    if (dc == NULL || amt_conf_mode(dc) == AMT_VERIFY_NONE) return NULL;
    v = amt_verdict_for(r, dc);
    if (amt_verdict_result(v)->outcome == AMT_OUTCOME_NONE) {
        if (strcasecmp(name, "SSL_CLIENT_VERIFY") == 0
            && !ap_ssl_conn_is_ssl(r->connection)) {
            return "NONE";
        }
        return NULL;
    }
    val = amt_verdict_var(r, v, name,
                          amt_conf_options(dc) & AMT_OPT_LEGACY_DN_FORMAT);
    return val ? val : "";
}

typedef struct {
    apr_array_header_t *doomed;
} client_keys_t;

static int collect_client_key(void *baton, const char *key, const char *val)
{
    client_keys_t *ck = baton;

    (void)val;
    if (is_client_name(key)) APR_ARRAY_PUSH(ck->doomed, const char *) = key;
    return 1;
}

int amt_lookup_env_claim(request_rec *r, amt_verdict_t *v, apr_table_t *env)
{
    client_keys_t ck;
    int i, tls_only;

    /* no forwarded certificate on a TLS connection: the names are mod_ssl's
     * (a real TLS client certificate); each keeps mod_ssl's value or goes */
    tls_only = amt_verdict_result(v)->outcome == AMT_OUTCOME_NONE
               && ap_ssl_conn_is_ssl(r->connection);
    ck.doomed = apr_array_make(r->pool, 8, sizeof(const char *));
    apr_table_do(collect_client_key, &ck, env, NULL);
    for (i = 0; i < ck.doomed->nelts; i++) {
        const char *key = APR_ARRAY_IDX(ck.doomed, i, const char *);
        const char *val = tls_only ? ap_ssl_var_lookup(r->pool, r->server,
                                                       r->connection, r, key)
                                   : NULL;
        if (val != NULL && *val != '\0') apr_table_setn(env, key, val);
        else apr_table_unset(env, key);
    }
    return !tls_only;
}

/* ap_ssl_var_lookup(): first non-NULL answer wins, mod_ssl's optional
 * function is the fallback. */
static const char *amt_ssl_var_lookup(apr_pool_t *p, server_rec *s,
                                      conn_rec *c, request_rec *r,
                                      const char *name)
{
    const char *val = amt_lookup_var(r, name);

    (void)s;
    (void)c;
    return val ? apr_pstrdup(p, val) : NULL;
}

/* The module's answer, else whatever ap_ssl_var_lookup() gives (mod_ssl's
 * own value on a TLS connection); empty becomes NULL as in mod_ssl. */
static const char *lookup_or_delegate(apr_pool_t *p, server_rec *s,
                                      conn_rec *c, request_rec *r,
                                      const char *name)
{
    const char *val = amt_lookup_var(r, name);

    if (val == NULL && p != NULL) {
        val = ap_ssl_var_lookup(p, s, c, r, name);
    }
    return (val != NULL && *val != '\0') ? val : NULL;
}

static const char *amt_expr_var(ap_expr_eval_ctx_t *ctx, const void *data)
{
    return lookup_or_delegate(ctx->p, ctx->s, ctx->c, ctx->r, data);
}

/* Runs while expressions are parsed (configuration time): binds every
 * SSL_CLIENT_* variable to amt_expr_var, which decides per request. */
static int amt_expr_lookup(ap_expr_lookup_parms *parms)
{
    if (parms->type == AP_EXPR_FUNC_VAR && is_client_name(parms->name)) {
        *parms->func = amt_expr_var;
        *parms->data = parms->name;
        return OK;
    }
    return DECLINED;
}

/* %{VAR}x in LogFormat */
static const char *amt_log_x(request_rec *r, char *a)
{
    const char *val = lookup_or_delegate(r->pool, r->server, r->connection,
                                         r, a);

    return val ? ap_escape_logitem(r->pool, val) : NULL;
}

static int amt_lookup_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                                 apr_pool_t *ptemp)
{
    APR_OPTIONAL_FN_TYPE(ap_register_log_handler) *reg;

    (void)plog;
    (void)ptemp;
    reg = APR_RETRIEVE_OPTIONAL_FN(ap_register_log_handler);
    if (reg != NULL) {
        /* after mod_ssl's (hook order below): the last registration wins;
         * names the module does not answer still reach mod_ssl through
         * ap_ssl_var_lookup() */
        reg(pconf, "x", amt_log_x, 0);
    }
    return OK;
}

void amt_lookup_register(apr_pool_t *p)
{
    static const char *const ssl[] = { "mod_ssl.c", NULL };
    static const char *const log_and_ssl[] = { "mod_log_config.c",
                                               "mod_ssl.c", NULL };

    (void)p;
    ap_hook_ssl_var_lookup(amt_ssl_var_lookup, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_expr_lookup(amt_expr_lookup, NULL, ssl, APR_HOOK_FIRST);
    ap_hook_pre_config(amt_lookup_pre_config, log_and_ssl, NULL,
                       APR_HOOK_LAST);
}
