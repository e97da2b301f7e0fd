/*
 * mod_alb_mtls_lookup.h - ssl_var_lookup and expr_lookup hooks, %{VAR}x, and
 * the claim on SSL_CLIENT_* in the environment.
 */
#ifndef MOD_ALB_MTLS_LOOKUP_H
#define MOD_ALB_MTLS_LOOKUP_H

#include "httpd.h"
#include "apr_tables.h"

#include "mod_alb_mtls_verdict.h"

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

#endif
