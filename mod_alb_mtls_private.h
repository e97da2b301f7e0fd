/*
 * mod_alb_mtls_private.h - shared by the httpd glue files of mod_alb_mtls.
 */
#ifndef MOD_ALB_MTLS_PRIVATE_H
#define MOD_ALB_MTLS_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "apr_network_io.h"

#include "amt_parse.h"
#include "amt_trust.h"

extern module AP_MODULE_DECLARE_DATA alb_mtls_module;
APLOG_USE_MODULE(alb_mtls);

/* Log tags of this module: httpd's AHnnnnn numbers belong to httpd itself.
 * Next free number: docs/next-log-number. */
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

/* The trusted-proxy default (loopback and private ranges), built in
 * pre_config. */
apr_status_t amt_default_proxies_make(apr_pool_t *p);
int amt_peer_is_trusted(const amt_srv_conf *sc, apr_sockaddr_t *addr);

#endif
