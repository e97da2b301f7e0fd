/*
 * mod_alb_mtls_compat.h - the one place for httpd version differences
 * (OpenSSL's and APR's are in src/amt_compat.h).
 *
 * The module needs httpd 2.4.30 or later (module flags, MMN 20120211.70);
 * older ones fail the build here.  Everything else it uses is in 2.4.30
 * but for the SSL variable interface of 2.4.48 (http_ssl.h, MMN
 * 20120211.104/105: ap_ssl_conn_is_ssl(), ap_ssl_var_lookup() and the
 * ssl_var_lookup hook).  On older httpd (RHEL 8's 2.4.37):
 *
 *   ap_ssl_conn_is_ssl(c)         mod_ssl's optional ssl_is_https(), or 0
 *                                 without mod_ssl
 *   ap_ssl_var_lookup(p,s,c,r,n)  mod_ssl's optional ssl_var_lookup(), or
 *                                 NULL without mod_ssl
 *   ap_hook_ssl_var_lookup(...)   nothing: there is no such hook, so
 *                                 mod_rewrite's %{SSL:VAR} and mod_headers'
 *                                 %{VAR}s see mod_ssl's values only; the
 *                                 environment, ap_expr, %{VAR}x in logs and
 *                                 the Require providers are unaffected
 *
 * AMT_COMPAT_FORCE_OLD_HTTPD, for a test build only (`make test` builds
 * build/compat/ with it), takes the older path on a newer httpd.
 */
#ifndef MOD_ALB_MTLS_COMPAT_H
#define MOD_ALB_MTLS_COMPAT_H

#include "httpd.h"
#include "ap_mmn.h"

#if !AP_MODULE_MAGIC_AT_LEAST(20120211, 70)
#error "mod_alb_mtls needs Apache httpd 2.4.30 or later (module flags, MMN 20120211.70)"
#endif

#if AP_MODULE_MAGIC_AT_LEAST(20120211, 104) && !defined(AMT_COMPAT_FORCE_OLD_HTTPD)

#include "http_ssl.h"

#else /* httpd < 2.4.48 */

#define AMT_COMPAT_OLD_SSL_API 1

int amt_compat_conn_is_ssl(conn_rec *c);
const char *amt_compat_ssl_var_lookup(apr_pool_t *p, server_rec *s,
                                      conn_rec *c, request_rec *r,
                                      const char *name);

#define ap_ssl_conn_is_ssl amt_compat_conn_is_ssl
#define ap_ssl_var_lookup  amt_compat_ssl_var_lookup
/* no hook to register with: the function stays referenced, unused */
#define ap_hook_ssl_var_lookup(fn, pre, succ, order) \
    ((void)(fn), (void)(pre), (void)(succ), (void)(order))

#endif

#endif /* MOD_ALB_MTLS_COMPAT_H */
