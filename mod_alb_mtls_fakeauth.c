/*
 * mod_alb_mtls_fakeauth.c - AlbMtlsOptions +FakeBasicAuth, as mod_ssl's
 * SSLOptions +FakeBasicAuth (ssl_hook_UserCheck in httpd 2.4):
 *
 * - Where authentication runs (check_authn) on an initial request, a
 *   client-sent "Authorization: Basic" whose user starts with "/" and whose
 *   password is exactly "password" is a forged fake and gets 403, whatever
 *   the options (mod_ssl does the same).  This runs before mod_ssl's own
 *   check and before any fake header is made.
 * - Where FakeBasicAuth is on, the request has a verified forwarded
 *   certificate (SUCCESS or GENEROUS, as mod_ssl fakes for any certificate
 *   its handshake accepted) and no user yet, the header becomes
 *   "Basic base64(<subject DN in the legacy /C=../CN=.. form>:password)",
 *   after mod_ssl's hook, so the forwarded certificate wins on an HTTPS hop.
 *   mod_auth_basic and an AuthUserFile then check it; the user file holds
 *   the DN with the hash of "password" (e.g. xxj31ZMTZzkVA).
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "mod_auth.h"
#include "apr_strings.h"

#include "mod_alb_mtls_private.h"
#include "amt_vars.h"

#define FAKE_PASSWORD "password"

static int amt_fakeauth_spoof(request_rec *r)
{
    const char *line, *user;

    if (!ap_is_initial_req(r)) return DECLINED;
    line = apr_table_get(r->headers_in, "Authorization");
    if (line == NULL) return DECLINED;
    if (strcasecmp(ap_getword(r->pool, &line, ' '), "Basic") != 0) {
        return DECLINED;
    }
    while (*line == ' ' || *line == '\t') line++;
    line = ap_pbase64decode(r->pool, line);
    user = ap_getword_nulls(r->pool, &line, ':');
    if (user[0] == '/' && strcmp(line, FAKE_PASSWORD) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00203)
                      "refused a client-sent FakeBasicAuth header (user "
                      "\"%s\" with password \"password\") (peer %s, uri %s)",
                      ap_escape_logitem(r->pool, user),
                      r->connection->client_ip,
                      ap_escape_logitem(r->pool, r->uri));
        return HTTP_FORBIDDEN;
    }
    return DECLINED;
}

static int amt_fakeauth_inject(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    amt_verdict_t *v;
    const char *dn, *line;

    if (amt_conf_mode(dc) == AMT_VERIFY_NONE
        || !(amt_conf_options(dc) & AMT_OPT_FAKE_BASIC_AUTH)
        || !ap_is_initial_req(r) || r->user != NULL) {
        return DECLINED;
    }
    v = amt_verdict_for(r, dc);
    if (!amt_verdict_is_verified(v)) return DECLINED;
    dn = amt_verdict_var(r, v, "SSL_CLIENT_S_DN", AMT_VARS_LEGACY_DN);
    if (dn == NULL || *dn == '\0') return DECLINED;
    line = apr_pstrcat(r->pool, "Basic ",
                       ap_pbase64encode(r->pool,
                                        apr_pstrcat(r->pool, dn, ":"
                                                    FAKE_PASSWORD, NULL)),
                       NULL);
    apr_table_setn(r->headers_in, "Authorization", line);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00204)
                  "FakeBasicAuth: user \"%s\" from the forwarded certificate",
                  ap_escape_logitem(r->pool, dn));
    return DECLINED;
}

void amt_fakeauth_register(apr_pool_t *p)
{
    static const char *const ssl[] = { "mod_ssl.c", NULL };

    (void)p;
    ap_hook_check_authn(amt_fakeauth_spoof, NULL, ssl, APR_HOOK_REALLY_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_authn(amt_fakeauth_inject, ssl, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
}
