/*
 * mod_alb_mtls_config.c - directives, config structs and their merges.
 *
 * Every directive value is checked while the configuration is read; errors
 * name the directive (httpd adds the file and line).  The CA and CRL
 * lines of a section become sources (mod_alb_mtls_reload.c), read here
 * once per configuration cycle and freed with the configuration pool.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "ap_mpm.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_cache.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_reload.h"
#include "mod_alb_mtls_ocsp.h"
#include "amt_error.h"
#include "amt_vars.h"

/* ------------------------------------------------------------------ */
/* creation and merging                                                */

void *amt_create_dir_conf(apr_pool_t *p, char *dir)
{
    amt_dir_conf *dc = apr_pcalloc(p, sizeof(*dc));

    (void)dir;
    dc->mode = AMT_VERIFY_UNSET;
    dc->trust = NULL;
    dc->depth = AMT_UNSET;
    dc->require_cn = NULL;
    dc->header = NULL;
    dc->opts_set = AMT_UNSET;
    dc->opts_add = 0;
    dc->opts_del = 0;
    dc->user_var = NULL;
    dc->export_names = NULL;
    dc->crl = NULL;
    dc->crl_check = AMT_CRL_CHECK_UNSET;
    dc->crl_no_crl_ok = 0;
    dc->format = AMT_FORMAT_UNSET;
    dc->proxy_verified = AMT_UNSET;
    return dc;
}

#define MERGE_UNSET(field, unset) \
    mrg->field = (add->field != (unset)) ? add->field : base->field

void *amt_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const amt_dir_conf *base = basev;
    const amt_dir_conf *add = addv;
    amt_dir_conf *mrg = apr_pcalloc(p, sizeof(*mrg));

    MERGE_UNSET(mode, AMT_VERIFY_UNSET);
    MERGE_UNSET(trust, NULL);
    MERGE_UNSET(depth, AMT_UNSET);
    MERGE_UNSET(require_cn, NULL);
    if (add->format != AMT_FORMAT_UNSET) {  /* format and header: one unit */
        mrg->format = add->format;
        mrg->header = add->header;
    }
    else {
        mrg->format = base->format;
        MERGE_UNSET(header, NULL);
    }
    MERGE_UNSET(proxy_verified, AMT_UNSET);
    MERGE_UNSET(user_var, NULL);
    MERGE_UNSET(export_names, NULL);
    MERGE_UNSET(crl, NULL);
    mrg->ocsp = amt_ocsp_conf_merge(p, base->ocsp, add->ocsp);
    if (add->crl_check != AMT_CRL_CHECK_UNSET) {
        mrg->crl_check = add->crl_check;
        mrg->crl_no_crl_ok = add->crl_no_crl_ok;
    }
    else {
        mrg->crl_check = base->crl_check;
        mrg->crl_no_crl_ok = base->crl_no_crl_ok;
    }
    if (add->opts_set != AMT_UNSET) {
        mrg->opts_set = add->opts_set;
        mrg->opts_add = add->opts_add;
        mrg->opts_del = add->opts_del;
    }
    else {
        mrg->opts_set = base->opts_set;
        mrg->opts_add = (base->opts_add & ~add->opts_del) | add->opts_add;
        mrg->opts_del = (base->opts_del & ~add->opts_add) | add->opts_del;
    }
    return mrg;
}

void *amt_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    amt_srv_conf *sc = apr_pcalloc(p, sizeof(*sc));

    (void)s;
    sc->proxies = NULL;
    sc->proxy_any = AMT_UNSET;
    sc->headers = apr_array_make(p, 2, sizeof(const char *));
    sc->verify_where = NULL;
    sc->has_trust = 0;
    sc->cache_timeout = AMT_UNSET;
    sc->reload_interval = AMT_UNSET;
    return sc;
}

void *amt_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    const amt_srv_conf *base = basev;
    const amt_srv_conf *add = addv;
    amt_srv_conf *mrg = apr_pcalloc(p, sizeof(*mrg));

    /* a virtual host's own AlbMtlsTrustedProxy replaces the main server's */
    if (add->proxies != NULL || add->proxy_any != AMT_UNSET) {
        mrg->proxies = add->proxies;
        mrg->proxy_any = add->proxy_any;
    }
    else {
        mrg->proxies = base->proxies;
        mrg->proxy_any = base->proxy_any;
    }
    /* sections of the main server apply inside virtual hosts too */
    mrg->headers = apr_array_append(p, base->headers, add->headers);
    mrg->verify_where = add->verify_where ? add->verify_where
                                          : base->verify_where;
    mrg->has_trust = base->has_trust || add->has_trust;
    MERGE_UNSET(cache_timeout, AMT_UNSET);
    MERGE_UNSET(reload_interval, AMT_UNSET);
    mrg->crl_check_where = add->crl_check_where ? add->crl_check_where
                                                : base->crl_check_where;
    mrg->has_crl = base->has_crl || add->has_crl;
    mrg->cache = add->cache ? add->cache : base->cache;
    mrg->formats_used = base->formats_used | add->formats_used;
    mrg->proxy_verified_where = add->proxy_verified_where
                                ? add->proxy_verified_where
                                : base->proxy_verified_where;
    mrg->format_checks = add->format_checks ? add->format_checks
                                            : base->format_checks;
    return mrg;
}

amt_verify_mode_e amt_conf_mode(const amt_dir_conf *dc)
{
    return dc->mode == AMT_VERIFY_UNSET ? AMT_VERIFY_NONE : dc->mode;
}

int amt_conf_depth(const amt_dir_conf *dc)
{
    return dc->depth == AMT_UNSET ? AMT_DEFAULT_DEPTH : dc->depth;
}

int amt_conf_options(const amt_dir_conf *dc)
{
    int set = dc->opts_set == AMT_UNSET ? AMT_DEFAULT_OPTIONS : dc->opts_set;

    return (set & ~dc->opts_del) | dc->opts_add;
}

void amt_conf_policy(amt_policy_t *policy, const amt_dir_conf *dc)
{
    memset(policy, 0, sizeof(*policy));
    policy->trust = NULL;           /* amt_reload_pin() */
    policy->depth = amt_conf_depth(dc);
    policy->no_ca_ok = amt_conf_mode(dc) == AMT_VERIFY_OPTIONAL_NO_CA;
    policy->crl = NULL;             /* amt_reload_pin() */
    policy->crl_check = amt_conf_crl_check(dc);
    policy->crl_no_crl_ok = dc->crl_check != AMT_CRL_CHECK_UNSET
                            && dc->crl_no_crl_ok;
    policy->ocsp = dc->ocsp;
}

int amt_conf_crl_check(const amt_dir_conf *dc)
{
    /* unset: `chain` where a CRL set reaches, so that a configured CRL is
     * never silently unused; `none` elsewhere */
    if (dc->crl_check != AMT_CRL_CHECK_UNSET) return dc->crl_check;
    return dc->crl != NULL ? AMT_CRL_CHECK_CHAIN : AMT_CRL_CHECK_NONE;
}

const char *amt_conf_header(const amt_dir_conf *dc)
{
    return dc->header ? dc->header
                      : amt_format_default_header(amt_conf_format(dc));
}

amt_format_e amt_conf_format(const amt_dir_conf *dc)
{
    return dc->format == AMT_FORMAT_UNSET ? AMT_FORMAT_ALB : dc->format;
}

int amt_conf_proxy_verified(const amt_dir_conf *dc)
{
    return dc->proxy_verified == 1;
}

/* ------------------------------------------------------------------ */
/* directive handlers                                                  */

static amt_srv_conf *srv_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &alb_mtls_module);
}

static const char *where(cmd_parms *cmd)
{
    if (cmd->directive == NULL) return "(unknown)";
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

static const char *fail(cmd_parms *cmd, const char *msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

static const char *set_verify_client(cmd_parms *cmd, void *mconfig,
                                     const char *arg)
{
    amt_dir_conf *dc = mconfig;
    const char *err;

    if (amt_parse_verify_mode(&dc->mode, cmd->pool, arg, &err)
        != APR_SUCCESS) {
        return fail(cmd, err);
    }
    if (dc->mode != AMT_VERIFY_NONE && srv_conf(cmd)->verify_where == NULL) {
        srv_conf(cmd)->verify_where = where(cmd);
    }
    return NULL;
}

static int config_dump_only(void)
{
    return ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_DUMP;
}

static const char *set_ca(cmd_parms *cmd, void *mconfig, const char *arg)
{
    amt_dir_conf *dc = mconfig;
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *err = NULL;

    if (path == NULL) {
        return fail(cmd, apr_psprintf(cmd->pool, "invalid path '%s'", arg));
    }
    srv_conf(cmd)->has_trust = 1;
    if (config_dump_only()) return NULL;
    err = amt_reload_add(cmd, &dc->trust, AMT_SOURCE_TRUST, cmd->info != NULL,
                         path);
    return err == NULL ? NULL : fail(cmd, err);
}

static const char *set_depth(cmd_parms *cmd, void *mconfig, const char *arg)
{
    amt_dir_conf *dc = mconfig;
    const char *err;

    if (amt_parse_int(&dc->depth, cmd->pool, arg, 0, AMT_MAX_DEPTH, &err)
        != APR_SUCCESS) {
        return fail(cmd, err);
    }
    return NULL;
}

static const char *add_require_cn(cmd_parms *cmd, void *mconfig,
                                  const char *arg)
{
    amt_dir_conf *dc = mconfig;

    if (*arg == '\0') return fail(cmd, "a name must not be empty");
    if (dc->require_cn == NULL) {
        dc->require_cn = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(dc->require_cn, const char *) = arg;
    return NULL;
}

static const char *set_header(cmd_parms *cmd, void *mconfig, const char *arg)
{
    amt_dir_conf *dc = mconfig;
    const char *err;

    if (amt_parse_header_name(cmd->pool, arg, &err) != APR_SUCCESS) {
        return fail(cmd, err);
    }
    dc->header = arg;
    APR_ARRAY_PUSH(srv_conf(cmd)->headers, const char *) = arg;
    return NULL;
}

static const char *set_header_format(cmd_parms *cmd, void *mconfig,
                                     const char *arg)
{
    amt_dir_conf *dc = mconfig;
    amt_srv_conf *sc = srv_conf(cmd);
    const char *err, *name;

    if (amt_format_parse(&dc->format, cmd->pool, arg, &err) != APR_SUCCESS) {
        return fail(cmd, err);
    }
    sc->formats_used |= 1u << dc->format;
    if ((name = amt_format_default_header(dc->format)) != NULL) {
        APR_ARRAY_PUSH(sc->headers, const char *) = name;
    }
    else {
        amt_format_check_t *chk;
        if (sc->format_checks == NULL) {
            sc->format_checks = apr_array_make(cmd->pool, 1,
                                               sizeof(amt_format_check_t));
        }
        chk = apr_array_push(sc->format_checks);
        chk->dc = dc;
        chk->where = where(cmd);
    }
    return NULL;
}

static const char *set_proxy_verified(cmd_parms *cmd, void *mconfig, int on)
{
    amt_dir_conf *dc = mconfig;

    dc->proxy_verified = on ? 1 : 0;
    if (on && srv_conf(cmd)->proxy_verified_where == NULL) {
        srv_conf(cmd)->proxy_verified_where = where(cmd);
    }
    return NULL;
}

static const char *add_trusted_proxy(cmd_parms *cmd, void *mconfig,
                                     const char *arg)
{
    amt_srv_conf *sc = srv_conf(cmd);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    apr_ipsubnet_t *sub;

    (void)mconfig;
    if (err != NULL) return err;
    if (strcasecmp(arg, "any") == 0) {
        if (sc->proxies != NULL) {
            return fail(cmd, "'any' cannot be combined with addresses");
        }
        sc->proxy_any = 1;
        return NULL;
    }
    if (sc->proxy_any == 1) {
        return fail(cmd, "'any' cannot be combined with addresses");
    }
    if (amt_parse_proxy(&sub, cmd->pool, arg, &err) != APR_SUCCESS) {
        return fail(cmd, err);
    }
    if (sc->proxies == NULL) {
        sc->proxies = apr_array_make(cmd->pool, 4, sizeof(apr_ipsubnet_t *));
    }
    sc->proxy_any = 0;
    APR_ARRAY_PUSH(sc->proxies, apr_ipsubnet_t *) = sub;
    return NULL;
}

static const char *set_options(cmd_parms *cmd, void *mconfig, const char *args)
{
    amt_dir_conf *dc = mconfig;
    int absolute = 0, relative = 0;
    const char *word;

    while (*(word = ap_getword_conf(cmd->temp_pool, &args)) != '\0') {
        const char *err;
        int flag;
        char sign;
        if (amt_parse_option(&flag, &sign, cmd->pool, word, &err)
            != APR_SUCCESS) {
            return fail(cmd, err);
        }
        if (sign == 0) {
            if (!absolute) {
                dc->opts_set = 0;
                dc->opts_add = dc->opts_del = 0;
            }
            absolute = 1;
            dc->opts_set |= flag;
        }
        else {
            relative = 1;
            if (sign == '+') {
                dc->opts_add |= flag;
                dc->opts_del &= ~flag;
            }
            else {
                dc->opts_del |= flag;
                dc->opts_add &= ~flag;
            }
        }
        if (absolute && relative) {
            return fail(cmd, "either all options start with + or -, or none "
                        "does");
        }
    }
    if (!absolute && !relative) return fail(cmd, "takes one or more options");
    return NULL;
}

static const char *set_user_name(cmd_parms *cmd, void *mconfig,
                                 const char *arg)
{
    amt_dir_conf *dc = mconfig;

    if (strncasecmp(arg, "SSL_CLIENT_", 11) != 0 || arg[11] == '\0') {
        return fail(cmd, apr_psprintf(cmd->pool, "'%s' is not an SSL_CLIENT_* "
                                      "variable", arg));
    }
    dc->user_var = arg;
    return NULL;
}

/* AlbMtlsExport name ... | all: the StdEnvVars variables to export; an
 * empty list (from `all`) means every one */
static const char *add_export(cmd_parms *cmd, void *mconfig, const char *arg)
{
    amt_dir_conf *dc = mconfig;
    /* a list begun by an earlier line of this same section grows; `all`
     * must stand alone */
    int begun = dc->export_names != NULL;

    if (strcasecmp(arg, "all") == 0) {
        if (begun && dc->export_names->nelts > 0) {
            return fail(cmd, "'all' cannot be combined with variable names");
        }
        dc->export_names = apr_array_make(cmd->pool, 1, sizeof(const char *));
        return NULL;
    }
    if (!amt_var_name_known(arg)) {
        return fail(cmd, apr_psprintf(cmd->pool, "'%s' is not an SSL_CLIENT_* "
                                      "variable of the module (see README, "
                                      "Variables)", arg));
    }
    if (!begun) {
        dc->export_names = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    else if (dc->export_names->nelts == 0) {
        return fail(cmd, "'all' cannot be combined with variable names");
    }
    APR_ARRAY_PUSH(dc->export_names, const char *) = arg;
    return NULL;
}

static const char *set_crl(cmd_parms *cmd, void *mconfig, const char *arg)
{
    amt_dir_conf *dc = mconfig;
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *err = NULL;
    time_t now;
    int expired;

    if (path == NULL) {
        return fail(cmd, apr_psprintf(cmd->pool, "invalid path '%s'", arg));
    }
    srv_conf(cmd)->has_crl = 1;
    if (config_dump_only()) return NULL;
    now = apr_time_sec(apr_time_now());
    expired = dc->crl ? amt_crl_expired_count(
                  amt_load_crl(amt_source_current(dc->crl)), now) : 0;
    err = amt_reload_add(cmd, &dc->crl, AMT_SOURCE_CRL, cmd->info != NULL,
                         path);
    if (err != NULL) return fail(cmd, err);
    expired = amt_crl_expired_count(
                  amt_load_crl(amt_source_current(dc->crl)), now) - expired;
    if (expired > 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                     AMTLOGNO(00041) "%s %s (%s): %d CRL(s) past their "
                     "nextUpdate; a check that needs them fails with \"CRL "
                     "has expired\"", cmd->cmd->name, path, where(cmd),
                     expired);
    }
    return NULL;
}

static const char *set_crl_check(cmd_parms *cmd, void *mconfig,
                                 const char *args)
{
    amt_dir_conf *dc = mconfig;
    amt_crl_check_e mode;
    int no_crl_ok;
    const char *err;

    if (amt_crl_parse_check(&mode, &no_crl_ok, cmd->pool, args, &err)
        != APR_SUCCESS) {
        return fail(cmd, err);
    }
    dc->crl_check = mode;
    dc->crl_no_crl_ok = no_crl_ok;
    if (mode != AMT_CRL_CHECK_NONE
        && srv_conf(cmd)->crl_check_where == NULL) {
        srv_conf(cmd)->crl_check_where = where(cmd);
    }
    return NULL;
}

static const char *set_cache(cmd_parms *cmd, void *mconfig, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    amt_cache_spec_t spec;

    (void)mconfig;
    if (err != NULL) return err;
    if (amt_parse_cache(&spec, cmd->pool, arg, &err) != APR_SUCCESS
        || (err = amt_cache_configure(cmd, arg, &spec)) != NULL) {
        return fail(cmd, err);
    }
    return NULL;
}

static const char *set_cache_timeout(cmd_parms *cmd, void *mconfig,
                                     const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    (void)mconfig;
    if (err != NULL) return err;
    if (amt_parse_int(&srv_conf(cmd)->cache_timeout, cmd->pool, arg, 0,
                      AMT_MAX_CACHE_TIMEOUT, &err) != APR_SUCCESS) {
        return fail(cmd, err);
    }
    return NULL;
}

static const char *set_reload_interval(cmd_parms *cmd, void *mconfig,
                                       const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    (void)mconfig;
    if (err != NULL) return err;
    if (amt_parse_int(&srv_conf(cmd)->reload_interval, cmd->pool, arg, 0,
                      AMT_MAX_RELOAD_INTERVAL, &err) != APR_SUCCESS) {
        return fail(cmd, err);
    }
    return NULL;
}

#define DIR_CTX (RSRC_CONF | ACCESS_CONF)

const command_rec amt_cmds[] = {
    AP_INIT_TAKE1("AlbMtlsVerifyClient", set_verify_client, NULL, DIR_CTX,
                  "none|optional|require|optional_no_ca: whether a verified "
                  "forwarded client certificate is needed"),
    AP_INIT_TAKE1("AlbMtlsCAFile", set_ca, NULL, DIR_CTX,
                  "PEM file of trust anchors for forwarded client "
                  "certificates"),
    AP_INIT_TAKE1("AlbMtlsCAPath", set_ca, (void *)1, DIR_CTX,
                  "hashed directory (openssl rehash) of trust anchors"),
    AP_INIT_TAKE1("AlbMtlsVerifyDepth", set_depth, NULL, DIR_CTX,
                  "longest chain, counted as SSLVerifyDepth (default 5)"),
    AP_INIT_ITERATE("AlbMtlsRequireCN", add_require_cn, NULL, DIR_CTX,
                    "subject CNs of which the leaf's CN must be one"),
    AP_INIT_TAKE1("AlbMtlsHeader", set_header, NULL, DIR_CTX,
                  "request header carrying the chain (default: the "
                  "format's, " AMT_DEFAULT_HEADER " for alb)"),
    AP_INIT_TAKE1("AlbMtlsHeaderFormat", set_header_format, NULL, DIR_CTX,
                  "alb|alb-verify|rfc9440|xfcc|base64-der: how the proxy "
                  "sends the certificate (default alb)"),
    AP_INIT_FLAG("AlbMtlsProxyVerified", set_proxy_verified, NULL, DIR_CTX,
                 "on: the trusted proxy has verified the certificate; "
                 "publish it as SUCCESS without verifying it again "
                 "(default off)"),
    AP_INIT_ITERATE("AlbMtlsTrustedProxy", add_trusted_proxy, NULL, RSRC_CONF,
                    "addr[/bits] of peers allowed to send the header, or any"),
    AP_INIT_RAW_ARGS("AlbMtlsOptions", set_options, NULL, DIR_CTX,
                     "[+|-]StdEnvVars [+|-]ExportCertData "
                     "[+|-]LegacyDNStringFormat [+|-]FakeBasicAuth"),
    AP_INIT_TAKE1("AlbMtlsUserName", set_user_name, NULL, DIR_CTX,
                  "SSL_CLIENT_* variable whose value becomes the request's "
                  "user"),
    AP_INIT_ITERATE("AlbMtlsExport", add_export, NULL, DIR_CTX,
                    "with StdEnvVars, the SSL_CLIENT_* variables to export "
                    "(SSL_CLIENT_VERIFY always is), or all (default)"),
    AP_INIT_TAKE1("AlbMtlsCache", set_cache, NULL, RSRC_CONF,
                  "where verification results are cached: process[:bytes], "
                  "a mod_socache provider[:args] (shmcb, memcache, redis) "
                  "or none"),
    AP_INIT_TAKE1("AlbMtlsCacheTimeout", set_cache_timeout, NULL,
                  RSRC_CONF, "longest life of a cached result in seconds "
                  "(default 300)"),
    AP_INIT_TAKE1("AlbMtlsCRLFile", set_crl, NULL, DIR_CTX,
                  "PEM file of CRLs (X509 CRL blocks) checked for forwarded "
                  "client certificates"),
    AP_INIT_TAKE1("AlbMtlsCRLPath", set_crl, (void *)1, DIR_CTX,
                  "hashed directory (openssl rehash, <hash>.r0) of CRLs"),
    AP_INIT_RAW_ARGS("AlbMtlsCRLCheck", set_crl_check, NULL, DIR_CTX,
                     "none|leaf|chain [no_crl_for_cert_ok]: which "
                     "certificates need a CRL (default chain once a CRL is "
                     "set, else none)"),
    AP_INIT_TAKE1("AlbMtlsReloadInterval", set_reload_interval, NULL,
                  RSRC_CONF, "seconds between checks of the CA and CRL "
                  "files for changes (default 60; 0: only at start-up and "
                  "graceful restart)"),
    AMT_OCSP_CMDS(DIR_CTX),
    { NULL }
};
