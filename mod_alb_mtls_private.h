/*
 * mod_alb_mtls_private.h - shared by the httpd glue files of mod_alb_mtls.
 */
#ifndef MOD_ALB_MTLS_PRIVATE_H
#define MOD_ALB_MTLS_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "apr_network_io.h"

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
    struct amt_cache_conf *cache;  /* this virtual host's own
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

/* The trusted-proxy default (loopback and private ranges), built in
 * pre_config. */
apr_status_t amt_default_proxies_make(apr_pool_t *p);
int amt_peer_is_trusted(const amt_srv_conf *sc, apr_sockaddr_t *addr);

/* ------------------------------------------------------------------ */
/* mod_alb_mtls_verdict.c: the verification result of a request        */

typedef struct amt_verdict_t amt_verdict_t;

/** The request that r descends from (through r->main and r->prev). */
request_rec *amt_initial_request(request_rec *r);

/**
 * Fixes what every verdict of r's request (its subrequests and internal
 * redirects included) is made from: headers holds the certificate headers
 * as a trusted peer sent them (post_read_request, before any other module
 * and before the body and its trailers are read); NULL says the peer is
 * not trusted, and every verdict is then NONE.  A request for which this
 * was never called is treated as from an untrusted peer.
 */
void amt_verdict_capture(request_rec *r, apr_table_t *headers);

/**
 * The verdict for r under dc's policy (header, trust, depth, mode):
 * computed on first use and kept on the initial request, so internal
 * redirects and subrequests reuse it.  Call only where
 * amt_conf_mode(dc) != AMT_VERIFY_NONE.
 */
amt_verdict_t *amt_verdict_for(request_rec *r, const amt_dir_conf *dc);

const amt_result_t *amt_verdict_result(const amt_verdict_t *v);

/** SUCCESS: the only outcome that is an identity.  GENEROUS
 *  (optional_no_ca) publishes the certificate's variables, as mod_ssl
 *  does, but grants nothing and sets no user. */
int amt_verdict_is_verified(const amt_verdict_t *v);

/**
 * One SSL_CLIENT_* variable by mod_ssl's name rules (amt_var_lookup), or
 * NULL; identity variables are NULL unless verified.  options:
 * AMT_OPT_LEGACY_DN_FORMAT or 0.
 */
const char *amt_verdict_var(request_rec *r, amt_verdict_t *v,
                            const char *name, int options);

/** Sets the variables into env as mod_ssl's fixup does (amt_vars_export). */
void amt_verdict_export(request_rec *r, amt_verdict_t *v, apr_table_t *env,
                        int options);

/** The leaf's first subject CN when verified (SUCCESS), else NULL. */
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

/** Before the export in fixups, where the module is on: removes every
 *  SSL_CLIENT_* already in env (set by SetEnv, SetEnvIf, RewriteRule [E=],
 *  or mod_ssl's fixup for a TLS client certificate) and returns 1, so that
 *  only the module's values reach the application; on a TLS connection
 *  without a forwarded certificate it keeps mod_ssl's own values instead
 *  (through ap_ssl_var_lookup) and returns 0. */
int amt_lookup_env_claim(request_rec *r, amt_verdict_t *v, apr_table_t *env);

/** mod_alb_mtls_authz.c: the Require alb-mtls* providers */
void amt_authz_register(apr_pool_t *p);

/** mod_alb_mtls_fakeauth.c: AlbMtlsOptions +FakeBasicAuth, spoof check */
void amt_fakeauth_register(apr_pool_t *p);

/* ------------------------------------------------------------------ */
/* mod_alb_mtls_cache.c: the verification result cache                */

#include "amt_entry.h"
#include "amt_lru.h"

/* longest subject DN written to a log line (or kept for one in an entry) */
#define AMT_LOG_SUBJECT_MAX 256

#define AMT_DEFAULT_CACHE_TIMEOUT 300
#define AMT_MAX_CACHE_TIMEOUT     86400

const char *amt_cmd_cache(cmd_parms *cmd, void *mconfig, const char *arg);
const char *amt_cmd_cache_timeout(cmd_parms *cmd, void *mconfig,
                                  const char *arg);
void amt_cache_register_hooks(apr_pool_t *p);

/** What amt_cache_lookup() hands to amt_cache_keep(): the entry key of one
 *  header value under one policy. */
typedef struct amt_cache_slot_t {
    int usable;                 /* 0: there is nothing to keep */
    const amt_policy_t *policy;
    unsigned char key[AMT_ENTRY_KEY_LEN];
} amt_cache_slot_t;

/**
 * "Have you got it?": the valid entry for this header value under policy,
 * or NULL.  value NULL (no single header field), no cache here, or
 * AlbMtlsCacheTimeout 0: NULL, and nothing will be kept.
 */
const amt_entry_t *amt_cache_lookup(request_rec *r, amt_cache_slot_t *slot,
                                    const amt_policy_t *policy,
                                    const char *header, const char *value);

/** "Keep this": stores the result of client (not NONE) under slot, until
 *  the earliest time it may change (amt_entry_expiry). */
void amt_cache_keep(request_rec *r, const amt_cache_slot_t *slot,
                    const amt_client_cert_t *client, int with_certdata);

/* ------------------------------------------------------------------ */
/* mod_alb_mtls_counters.c: counters shown by mod_status                 */

/* the counters: verdicts by outcome and failure class, then the cache's */
typedef enum {
    AMT_C_VERIFIED = 0, AMT_C_NOCERT,
    AMT_C_FAILED_FIRST,             /* one per failure class, AMT_C_FAILED() */
    AMT_C_HITS = AMT_C_FAILED_FIRST + AMT_FAIL_COUNT - 1,
    AMT_C_MISSES, AMT_C_STORES, AMT_C_REFUSED, AMT_C_ERRORS,
    AMT_C_COUNT
} amt_counter_e;
/** the counter of failure class f (amt_failure_e, not AMT_FAIL_NONE) */
#define AMT_C_FAILED(f) ((amt_counter_e)(AMT_C_FAILED_FIRST + (f) - 1))

/** Registers post_config (the counters, zero each configuration cycle) and
 *  the mod_status hook. */
void amt_counters_register_hooks(apr_pool_t *p);
void amt_count(amt_counter_e which);
/** Counts one verdict by its outcome and failure class. */
void amt_count_result(const amt_result_t *res);
/** Where the in-process caches keep their counters (summed over children). */
amt_lru_stats_t *amt_counters_lru_stats(void);

#endif
