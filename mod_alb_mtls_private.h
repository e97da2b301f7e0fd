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
    const char *crl_check_where;    /* "file:line" of the first
                                     * AlbMtlsCRLCheck leaf|chain, or NULL */
    int has_crl;                    /* some section has AlbMtlsCRLFile/Path */
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

#endif
