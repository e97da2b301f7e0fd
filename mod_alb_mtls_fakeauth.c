/*
 * mod_alb_mtls_fakeauth.c - AlbMtlsOptions +FakeBasicAuth, as mod_ssl's
 * SSLOptions +FakeBasicAuth (ssl_hook_UserCheck in httpd 2.4), with a
 * stricter refusal of forged users:
 *
 * - Wherever authentication runs (check_authn: initial requests, internal
 *   redirects, subrequests), a client-sent "Authorization: Basic" whose user
 *   has the form of a certificate DN (amt_user_is_dn_form: "/..." or
 *   "CN=..,O=..") gets 403 with one log line, whatever the password and
 *   whatever the options, unless it is exactly the header FakeBasicAuth
 *   makes for this request from a verified certificate.  A user file that
 *   holds certificate DNs can so never be reached with a typed password.
 *   This runs before mod_ssl's check and before any fake header is made.
 * - Where FakeBasicAuth is on, the request has a verified (SUCCESS)
 *   forwarded certificate and no user yet, the header becomes
 *   "Basic base64(<subject DN in the legacy /C=../CN=.. form>:password)",
 *   after mod_ssl's hook, so the forwarded certificate wins on an HTTPS hop.
 *   mod_auth_basic and an AuthUserFile then check it; the user file holds
 *   the DN with a hash of "password" (htpasswd -nbB).  GENEROUS
 *   (optional_no_ca) makes no user.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "mod_auth.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_fakeauth.h"
#include "mod_alb_mtls_verdict.h"
#include "amt_match.h"
#include "amt_vars.h"

#define FAKE_PASSWORD "password"

/* the user of a Basic Authorization value, or NULL */
static const char *basic_user(apr_pool_t *p, const char *line)
{
    if (strcasecmp(ap_getword(p, &line, ' '), "Basic") != 0) return NULL;
    while (*line == ' ' || *line == '\t') line++;
    line = ap_pbase64decode(p, line);
    return ap_getword_nulls(p, &line, ':');
}

/* the Authorization value FakeBasicAuth makes for r, or NULL when it makes
 * none here (option off, module off, no verified certificate) */
static const char *fake_line(request_rec *r, const amt_dir_conf *dc)
{
    amt_verdict_t *v;
    const char *dn;

    if (amt_conf_mode(dc) == AMT_VERIFY_NONE
        || !(amt_conf_options(dc) & AMT_OPT_FAKE_BASIC_AUTH)) {
        return NULL;
    }
    v = amt_verdict_for(r, dc);
    if (!amt_verdict_is_verified(v)) return NULL;
    dn = amt_verdict_var(r, v, "SSL_CLIENT_S_DN", AMT_OPT_LEGACY_DN_FORMAT);
    if (dn == NULL || *dn == '\0') return NULL;
    return apr_pstrcat(r->pool, "Basic ",
                       ap_pbase64encode(r->pool,
                                        apr_pstrcat(r->pool, dn, ":"
                                                    FAKE_PASSWORD, NULL)),
                       NULL);
}

#define NOTE_SPOOF_LOGGED "alb-mtls-spoof-logged"

static int amt_fakeauth_spoof(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    const char *line, *user, *ours;
    request_rec *root;

    line = apr_table_get(r->headers_in, "Authorization");
    if (line == NULL) return DECLINED;
    user = basic_user(r->pool, line);
    if (user == NULL || !amt_user_is_dn_form(user)) return DECLINED;
    ours = fake_line(r, dc);
    if (ours != NULL && strcmp(ours, line) == 0) return DECLINED;
    /* one line per request, however often authentication runs in it */
    root = amt_initial_request(r);
    if (apr_table_get(root->notes, NOTE_SPOOF_LOGGED) == NULL) {
        apr_table_setn(root->notes, NOTE_SPOOF_LOGGED, "1");
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AMTLOGNO(00203)
                      "refused a client-sent Basic user in certificate DN "
                      "form (user \"%s\"): only FakeBasicAuth makes such a "
                      "user, from a verified certificate (peer %s, uri %s)",
                      ap_escape_logitem(r->pool, user),
                      r->connection->client_ip,
                      ap_escape_logitem(r->pool, r->uri));
    }
    return HTTP_FORBIDDEN;
}

static int amt_fakeauth_inject(request_rec *r)
{
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    const char *line;

    if (r->user != NULL || (line = fake_line(r, dc)) == NULL) {
        return DECLINED;
    }
    apr_table_setn(r->headers_in, "Authorization", line);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00204)
                  "FakeBasicAuth: user \"%s\" from the forwarded certificate",
                  ap_escape_logitem(r->pool,
                                    basic_user(r->pool, line)));
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
