/*
 * mod_alb_mtls_private.h - shared by the httpd glue files of mod_alb_mtls.
 */
#ifndef MOD_ALB_MTLS_PRIVATE_H
#define MOD_ALB_MTLS_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "apr_network_io.h"
#include "mod_alb_mtls_compat.h"  /* httpd version floor and fallbacks */

#include "amt_crl.h"
#include "amt_parse.h"
#include "amt_trust.h"
#include "amt_verify.h"

extern module AP_MODULE_DECLARE_DATA alb_mtls_module;
APLOG_USE_MODULE(alb_mtls);

/* Log tags of this module: httpd's AHnnnnn numbers belong to httpd itself.
 * Ranges per concern: docs/log-numbers.md. */
#define AMTLOGNO(n) "ALB" #n ": "

#define AMT_DEFAULT_HEADER   "X-Amzn-Mtls-Clientcert"
#define AMT_DEFAULT_DEPTH    5
#define AMT_DEFAULT_OPTIONS  AMT_OPT_STD_ENV_VARS
#define AMT_MAX_DEPTH        32
#define AMT_UNSET            (-1)
/* the ALB's own limit for one header field */
#define AMT_ALB_FIELD_LIMIT  16384

typedef struct amt_dir_conf {
    amt_verify_mode_e mode;         /* AMT_VERIFY_UNSET: inherit */
    amt_trust_t *trust;             /* NULL: inherit */
    int depth;                      /* AMT_UNSET: inherit */
    apr_array_header_t *require_cn; /* of const char *; NULL: inherit */
    const char *header;             /* NULL: inherit */
    int opts_set;                   /* absolute options; AMT_UNSET: inherit */
    int opts_add;                   /* relative +options */
    int opts_del;                   /* relative -options */
    const char *user_var;           /* AlbMtlsUserName; NULL: inherit */
    /* revocation: the CRLs of one section form one unit, like its trust
     * anchors; AlbMtlsCRLCheck merges on its own */
    amt_crl_t *crl;                 /* AlbMtlsCRLFile/Path; NULL: inherit */
    int crl_check;                  /* amt_crl_check_e; UNSET: inherit */
    int crl_no_crl_ok;              /* no_crl_for_cert_ok, with crl_check */
} amt_dir_conf;

typedef struct amt_srv_conf {
    apr_array_header_t *proxies;    /* of apr_ipsubnet_t *; NULL: default */
    int proxy_any;                  /* AMT_UNSET, 0 or 1 */
    apr_array_header_t *headers;    /* header names to strip from untrusted
                                     * peers: every AlbMtlsHeader seen in
                                     * this server (and the main server) */
    const char *verify_where;       /* "file:line" of the first
                                     * AlbMtlsVerifyClient that turns
                                     * verification on, or NULL */
    int has_trust;                  /* some section has AlbMtlsCAFile/Path */
    int cache_timeout;              /* AlbMtlsCacheTimeout; AMT_UNSET */
    const char *crl_check_where;    /* "file:line" of the first
                                     * AlbMtlsCRLCheck leaf|chain, or NULL */
    int has_crl;                    /* some section has AlbMtlsCRLFile/Path */
    struct amt_results_conf *results; /* this virtual host's own
                                     * AlbMtlsCache, or NULL: the main
                                     * server's (mod_alb_mtls_cache.c) */
} amt_srv_conf;

extern const command_rec amt_cmds[];

void *amt_create_dir_conf(apr_pool_t *p, char *dir);
void *amt_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
void *amt_create_srv_conf(apr_pool_t *p, server_rec *s);
void *amt_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);

/* Effective values of a merged dir config, defaults resolved. */
amt_verify_mode_e amt_conf_mode(const amt_dir_conf *dc);
int amt_conf_depth(const amt_dir_conf *dc);
int amt_conf_options(const amt_dir_conf *dc);
const char *amt_conf_header(const amt_dir_conf *dc);
/* the verification policy of dc (everything amt_verify_chain needs) */
void amt_conf_policy(amt_policy_t *policy, const amt_dir_conf *dc);
/* effective AlbMtlsCRLCheck mode (amt_crl_check_e) */
int amt_conf_crl_check(const amt_dir_conf *dc);
/* AMT_VARS_* flags (amt_vars.h) for the effective AlbMtlsOptions */
int amt_conf_vars_flags(const amt_dir_conf *dc);

/* The trusted-proxy default (loopback and private ranges), built in
 * pre_config. */
apr_status_t amt_default_proxies_make(apr_pool_t *p);
int amt_peer_is_trusted(const amt_srv_conf *sc, apr_sockaddr_t *addr);

/* ------------------------------------------------------------------ */
/* mod_alb_mtls_verdict.c: the verification result of a request        */

typedef struct amt_verdict_t amt_verdict_t;

/**
 * The verdict for r under dc's policy (header, trust, depth, mode):
 * computed on first use and kept on the initial request, so internal
 * redirects and subrequests reuse it.  Call only where
 * amt_conf_mode(dc) != AMT_VERIFY_NONE.
 */
amt_verdict_t *amt_verdict_for(request_rec *r, const amt_dir_conf *dc);

const amt_result_t *amt_verdict_result(const amt_verdict_t *v);

/** SUCCESS or GENEROUS */
int amt_verdict_is_verified(const amt_verdict_t *v);

/**
 * One SSL_CLIENT_* variable by mod_ssl's name rules (amt_var_lookup), or
 * NULL; identity variables are NULL unless verified.  vars_flags:
 * AMT_VARS_LEGACY_DN or 0.
 */
const char *amt_verdict_var(request_rec *r, amt_verdict_t *v,
                            const char *name, int vars_flags);

/** Sets the variables into env as mod_ssl's fixup does (amt_vars_export). */
void amt_verdict_export(request_rec *r, amt_verdict_t *v, apr_table_t *env,
                        int vars_flags);

/** The leaf's first subject CN when verified, else NULL. */
const char *amt_verdict_subject_cn(request_rec *r, const amt_verdict_t *v);

/** 1 the first time it is called for v (so that one request logs one
 *  refusal line), then 0. */
int amt_verdict_log_once(amt_verdict_t *v);

/** "(peer <ip>, subject \"<dn>\", uri <uri>)" for log lines. */
const char *amt_verdict_log_where(request_rec *r, const amt_verdict_t *v);

/* ------------------------------------------------------------------ */
/* Lookups, Require providers, FakeBasicAuth                           */

/** mod_alb_mtls_lookup.c: ssl_var_lookup and expr_lookup hooks, %{VAR}x */
void amt_lookup_register(apr_pool_t *p);

/** The module's answer for an SSL_CLIENT_* name on r ("" when it owns the
 *  name but has no value), or NULL when it declines: module off here, no
 *  forwarded certificate, not an SSL_CLIENT_* name. */
const char *amt_lookup_var(request_rec *r, const char *name);

/** Before the export in fixups, the same rule for the environment: 0 when
 *  the request has no forwarded certificate on a TLS connection (mod_ssl's
 *  values stay); otherwise removes every SSL_CLIENT_* already in env (a
 *  TLS client certificate's, set by mod_ssl's fixup) and returns 1. */
int amt_lookup_env_claim(request_rec *r, amt_verdict_t *v, apr_table_t *env);

/** mod_alb_mtls_authz.c: the Require alb-mtls* providers */
void amt_authz_register(apr_pool_t *p);

/** mod_alb_mtls_fakeauth.c: AlbMtlsOptions +FakeBasicAuth, spoof check */
void amt_fakeauth_register(apr_pool_t *p);

/* ------------------------------------------------------------------ */
/* mod_alb_mtls_cache.c: the verification result cache                */

#include "amt_entry.h"
#include "amt_cache.h"

#define AMT_DEFAULT_CACHE_TIMEOUT 300
#define AMT_MAX_CACHE_TIMEOUT     86400

const char *amt_cmd_cache(cmd_parms *cmd, void *mconfig, const char *arg);
const char *amt_cmd_cache_timeout(cmd_parms *cmd, void *mconfig,
                                  const char *arg);
void amt_cache_register_hooks(apr_pool_t *p);
/** A cache is configured (AlbMtlsCache is not none) and running. */
int amt_results_enabled(const server_rec *s);
/** Effective AlbMtlsCacheTimeout of s (0: do not cache). */
int amt_results_timeout(const server_rec *s);
/** The valid entry stored under key, or NULL (miss, stale, refused,
 *  unreachable cache); counts hits and misses. */
amt_entry_t *amt_results_get(request_rec *r,
                             const unsigned char key[AMT_CACHE_KEY_LEN]);
/** Stores e (failures and errors are logged, never fatal). */
void amt_results_put(request_rec *r, const amt_entry_t *e);

/* ------------------------------------------------------------------ */
/* mod_alb_mtls_status.c: counters shown by mod_status                 */

typedef enum {
    AMT_C_VERIFIED = 0, AMT_C_NOCERT,
    AMT_C_FAIL_MALFORMED, AMT_C_FAIL_UNTRUSTED, AMT_C_FAIL_EXPIRED,
    AMT_C_FAIL_NOTYET, AMT_C_FAIL_REVOKED, AMT_C_FAIL_CHAIN, AMT_C_FAIL_OTHER,
    AMT_C_HITS, AMT_C_MISSES, AMT_C_STORES, AMT_C_REFUSED, AMT_C_ERRORS,
    AMT_C_COUNT
} amt_counter_e;

void amt_status_register_hooks(apr_pool_t *p);
/** Creates the counters (shared by all children) in post_config. */
apr_status_t amt_status_init(apr_pool_t *pconf, server_rec *s);
void amt_count(amt_counter_e which);
/** Counts one verdict by its outcome and failure class. */
void amt_count_verdict(const amt_result_t *res);
/** The cache counters of the in-process caches (summed over children). */
amt_cache_stats_t *amt_status_cache_stats(void);
/** Writes the cache provider's own status (set by the cache). */
void amt_status_set_provider_hook(void (*fn)(request_rec *r, int flags));

#endif
