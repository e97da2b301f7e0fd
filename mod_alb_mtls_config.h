/*
 * mod_alb_mtls_config.h - the configuration: directives (one command
 * table), the per-directory and per-server structs, their merges and the
 * getters that resolve defaults.
 */
#ifndef MOD_ALB_MTLS_CONFIG_H
#define MOD_ALB_MTLS_CONFIG_H

#include "httpd.h"
#include "http_config.h"
#include "apr_tables.h"

#include "amt_crl.h"
#include "amt_ocsp.h"
#include "amt_format.h"
#include "amt_parse.h"
#include "amt_source.h"
#include "amt_trust.h"
#include "amt_verify.h"

#define AMT_DEFAULT_HEADER   "X-Amzn-Mtls-Clientcert"
#define AMT_DEFAULT_DEPTH    5
#define AMT_DEFAULT_OPTIONS  AMT_OPT_STD_ENV_VARS
#define AMT_MAX_DEPTH        32
#define AMT_UNSET            (-1)
/* the ALB's own limit for one header field */
#define AMT_ALB_FIELD_LIMIT  16384
#define AMT_DEFAULT_CACHE_TIMEOUT 300
#define AMT_MAX_CACHE_TIMEOUT     86400

typedef struct amt_dir_conf {
    amt_verify_mode_e mode;         /* AMT_VERIFY_UNSET: inherit */
    amt_source_t *trust;            /* CA lines (trust anchors, read again
                                     * per AlbMtlsReloadInterval); NULL:
                                     * inherit */
    int depth;                      /* AMT_UNSET: inherit */
    apr_array_header_t *require_cn; /* of const char *; NULL: inherit */
    const char *header;             /* NULL: inherit */
    int opts_set;                   /* absolute options; AMT_UNSET: inherit */
    int opts_add;                   /* relative +options */
    int opts_del;                   /* relative -options */
    const char *user_var;           /* AlbMtlsUserName; NULL: inherit */
    apr_array_header_t *export_names;   /* AlbMtlsExport, of const char *;
                                         * NULL: inherit; empty: all */
    /* revocation: the CRLs of one section form one unit, like its trust
     * anchors; AlbMtlsCRLCheck merges on its own */
    amt_source_t *crl;              /* AlbMtlsCRLFile/Path (the CRL set);
                                     * NULL: inherit */
    int crl_check;                  /* amt_crl_check_e; UNSET: inherit */
    int crl_no_crl_ok;              /* no_crl_for_cert_ok, with crl_check */
    const amt_ocsp_conf_t *ocsp;    /* AlbMtlsOCSP*; NULL: inherit
                                     * (mod_alb_mtls_ocsp.c) */
    /* AlbMtlsHeaderFormat and AlbMtlsHeader merge as one unit: a section
     * that sets the format reads its default name unless it also sets
     * AlbMtlsHeader */
    amt_format_e format;            /* AMT_FORMAT_UNSET: inherit */
    int proxy_verified;             /* AlbMtlsProxyVerified; AMT_UNSET */
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
    int reload_interval;            /* AlbMtlsReloadInterval; AMT_UNSET */
    unsigned formats_used;          /* 1 << amt_format_e of every
                                     * AlbMtlsHeaderFormat seen here */
    const char *proxy_verified_where; /* "file:line" of the first
                                     * AlbMtlsProxyVerified on, or NULL */
    apr_array_header_t *format_checks; /* of amt_format_check_t: sections
                                     * checked at start-up */
    struct amt_cache_conf *cache;   /* this virtual host's own
                                     * AlbMtlsCache, or NULL: the main
                                     * server's (mod_alb_mtls_cache.c) */
} amt_srv_conf;

/* a section whose AlbMtlsHeaderFormat needs an AlbMtlsHeader beside it
 * (base64-der), checked once the whole section has been read */
typedef struct amt_format_check_t {
    const amt_dir_conf *dc;
    const char *where;              /* "file:line" of the directive */
} amt_format_check_t;

extern const command_rec amt_cmds[];

void *amt_create_dir_conf(apr_pool_t *p, char *dir);
void *amt_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
void *amt_create_srv_conf(apr_pool_t *p, server_rec *s);
void *amt_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);

/* Effective values of a merged dir config, defaults resolved. */
amt_verify_mode_e amt_conf_mode(const amt_dir_conf *dc);
int amt_conf_depth(const amt_dir_conf *dc);
int amt_conf_options(const amt_dir_conf *dc);
/* the header name the format's leaf field has (AlbMtlsHeader, else the
 * format's default; NULL only for base64-der without AlbMtlsHeader) */
const char *amt_conf_header(const amt_dir_conf *dc);
/* the verification policy of dc (everything amt_verify_chain needs but
 * the trust anchors and CRL set, which amt_reload_pin() fills) */
amt_format_e amt_conf_format(const amt_dir_conf *dc);
int amt_conf_proxy_verified(const amt_dir_conf *dc);
/* the verification policy of dc (everything amt_verify_chain needs) */
void amt_conf_policy(amt_policy_t *policy, const amt_dir_conf *dc);
/* effective AlbMtlsCRLCheck mode (amt_crl_check_e) */
int amt_conf_crl_check(const amt_dir_conf *dc);

#endif
