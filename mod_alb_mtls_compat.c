/*
 * mod_alb_mtls_compat.c - httpd < 2.4.48: the SSL variable interface
 * through mod_ssl's optional functions (see mod_alb_mtls_compat.h).
 * Empty on newer httpd.
 */
#include "mod_alb_mtls_compat.h"

#ifdef AMT_COMPAT_OLD_SSL_API

#include "apr_optional.h"
#include "apr_strings.h"

/* as declared by mod_ssl.h since 2.0 */
APR_DECLARE_OPTIONAL_FN(int, ssl_is_https, (conn_rec *));
APR_DECLARE_OPTIONAL_FN(char *, ssl_var_lookup,
                        (apr_pool_t *, server_rec *, conn_rec *,
                         request_rec *, char *));

/* Retrieved at each call: a lookup in APR's table of optional functions,
 * which is only written while modules register their hooks. */
int amt_compat_conn_is_ssl(conn_rec *c)
{
    APR_OPTIONAL_FN_TYPE(ssl_is_https) *fn =
        APR_RETRIEVE_OPTIONAL_FN(ssl_is_https);

    return fn != NULL && c != NULL && fn(c);
}

const char *amt_compat_ssl_var_lookup(apr_pool_t *p, server_rec *s,
                                      conn_rec *c, request_rec *r,
                                      const char *name)
{
    APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *fn =
        APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);

    if (fn == NULL || name == NULL) return NULL;
    /* mod_ssl's takes a char * it does not write to */
    return fn(p, s, c, r, apr_pstrdup(p, name));
}

#else

/* ISO C wants a translation unit to declare something */
typedef int amt_compat_unused_t;

#endif
