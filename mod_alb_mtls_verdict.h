/*
 * mod_alb_mtls_verdict.h - the verification result of a request, the only
 * way the other glue files read results and variables.
 */
#ifndef MOD_ALB_MTLS_VERDICT_H
#define MOD_ALB_MTLS_VERDICT_H

#include "httpd.h"
#include "apr_tables.h"

#include "amt_verify.h"
#include "mod_alb_mtls_config.h"

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

#endif
