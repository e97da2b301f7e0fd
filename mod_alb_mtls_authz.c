/*
 * mod_alb_mtls_authz.c - Require providers for mod_authz_core:
 *
 *   Require alb-mtls                      SSL_CLIENT_VERIFY is SUCCESS
 *   Require alb-mtls-cn name...           + leaf subject CN is one of them
 *   Require alb-mtls-san-dns name...      + a DNS SAN matches one ("*.x.y"
 *                                           stands for one label)
 *   Require alb-mtls-san-uri uri...       + a URI SAN equals one (SPIFFE)
 *   Require alb-mtls-san-email addr...    + an email SAN equals one
 *   Require alb-mtls-fingerprint hex...   + SHA-256 of the leaf is one
 *
 * Arguments are checked while the configuration is read (src/amt_match.c);
 * per request everything is read through the verdict API, so GENEROUS
 * (optional_no_ca) and FAILED never grant.  Each rule that does not grant
 * logs one line at info naming the rule and the subject.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_authz.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_verdict.h"
#include "amt_match.h"
#include "amt_vars.h"

/* SAN indexes the variables accept (SSL_CLIENT_SAN_*_n, 1 to 4 digits) */
#define AMT_MAX_SAN_INDEX 9999

/* what a rule compares its arguments with */
typedef enum {
    LOOKS_AT_NOTHING,               /* alb-mtls: a verified certificate */
    LOOKS_AT_CN,                    /* the leaf's first subject CN */
    LOOKS_AT_SAN,                   /* every SAN of one kind */
    LOOKS_AT_FINGERPRINT            /* the leaf's SHA-256 */
} looks_at_e;

/* checks one argument and gives its normal form */
typedef apr_status_t (arg_parse_fn)(const char **norm, apr_pool_t *p,
                                    const char *word, const char **err);
/* whether an argument (want) matches what the certificate has */
typedef int (arg_match_fn)(const char *want, const char *have);

typedef struct rule_t {
    const char *name;               /* Require <name> */
    authz_provider provider;        /* for mod_authz_core */
    looks_at_e looks_at;
    const char *san;                /* LOOKS_AT_SAN: SSL_CLIENT_SAN_<san>_n */
    arg_parse_fn *parse_arg;        /* NULL: the rule takes no argument */
    arg_match_fn *match;
    const char *no_match;           /* LOOKS_AT_SAN: the log text */
} rule_t;

typedef struct {
    const rule_t *rule;
    apr_array_header_t *args;       /* of const char *, normalised */
} amt_require_t;


/* ------------------------------------------------------------------ */
/* configuration time                                                  */

static apr_status_t any_arg(const char **norm, apr_pool_t *p,
                            const char *word, const char **err)
{
    (void)p;
    (void)err;
    *norm = word;
    return APR_SUCCESS;
}

static apr_status_t uri_arg(const char **norm, apr_pool_t *p,
                            const char *word, const char **err)
{
    *norm = word;
    return amt_parse_uri(p, word, err);
}

static apr_status_t email_arg(const char **norm, apr_pool_t *p,
                              const char *word, const char **err)
{
    *norm = word;
    return amt_parse_email(p, word, err);
}

static int match_exact(const char *want, const char *have)
{
    return strcmp(want, have) == 0;
}

/* each provider has its own parse function, as mod_authz_core's do */
typedef const char *(parse_fn)(cmd_parms *cmd, const char *line,
                               const void **parsed);
static parse_fn parse_verified, parse_cn, parse_dns, parse_uri, parse_email,
    parse_fingerprint;
static authz_status check(request_rec *r, const char *line,
                          const void *parsed);

/* The one table of providers: a row per Require name. */
static const rule_t rules[] = {
    { "alb-mtls", { check, parse_verified }, LOOKS_AT_NOTHING, NULL,
      NULL, NULL, NULL },
    { "alb-mtls-cn", { check, parse_cn }, LOOKS_AT_CN, NULL,
      any_arg, match_exact, NULL },
    { "alb-mtls-san-dns", { check, parse_dns }, LOOKS_AT_SAN, "DNS",
      amt_parse_dns_pattern, amt_match_dns,
      "no DNS subjectAltName matches" },
    { "alb-mtls-san-uri", { check, parse_uri }, LOOKS_AT_SAN, "URI",
      uri_arg, match_exact, "no URI subjectAltName matches" },
    { "alb-mtls-san-email", { check, parse_email }, LOOKS_AT_SAN, "Email",
      email_arg, amt_match_email, "no email subjectAltName matches" },
    { "alb-mtls-fingerprint", { check, parse_fingerprint },
      LOOKS_AT_FINGERPRINT, NULL, amt_parse_fingerprint, match_exact, NULL },
};
static const apr_size_t rules_count = sizeof(rules) / sizeof(rules[0]);

static const char *rq_fail(cmd_parms *cmd, const rule_t *rule,
                           const char *msg)
{
    return apr_psprintf(cmd->pool, "Require %s: %s", rule->name, msg);
}

/* A Require line of the rule whose provider parses with fn. */
static const char *parse_line(cmd_parms *cmd, const char *line,
                              const void **parsed, parse_fn *fn)
{
    amt_require_t *rq = apr_pcalloc(cmd->pool, sizeof(*rq));
    const char *word;
    apr_size_t i;

    for (i = 0; i < rules_count; i++) {
        if (rules[i].provider.parse_require_line == fn) rq->rule = &rules[i];
    }
    rq->args = apr_array_make(cmd->pool, 2, sizeof(const char *));
    while (*(word = ap_getword_conf(cmd->pool, &line)) != '\0') {
        const char *err = NULL, *norm = word;

        if (rq->rule->parse_arg == NULL) {
            return rq_fail(cmd, rq->rule, "takes no arguments (use "
                           "alb-mtls-cn, -san-dns, -san-uri, -san-email or "
                           "-fingerprint to name clients)");
        }
        if (rq->rule->parse_arg(&norm, cmd->pool, word, &err)
            != APR_SUCCESS) {
            return rq_fail(cmd, rq->rule, err);
        }
        APR_ARRAY_PUSH(rq->args, const char *) = norm;
    }
    if (rq->rule->parse_arg != NULL && rq->args->nelts == 0) {
        return rq_fail(cmd, rq->rule, "needs one or more values");
    }
    *parsed = rq;
    return NULL;
}

static const char *parse_verified(cmd_parms *cmd, const char *line,
                                  const void **parsed)
{
    return parse_line(cmd, line, parsed, parse_verified);
}

static const char *parse_cn(cmd_parms *cmd, const char *line,
                            const void **parsed)
{
    return parse_line(cmd, line, parsed, parse_cn);
}

static const char *parse_dns(cmd_parms *cmd, const char *line,
                             const void **parsed)
{
    return parse_line(cmd, line, parsed, parse_dns);
}

static const char *parse_uri(cmd_parms *cmd, const char *line,
                             const void **parsed)
{
    return parse_line(cmd, line, parsed, parse_uri);
}

static const char *parse_email(cmd_parms *cmd, const char *line,
                               const void **parsed)
{
    return parse_line(cmd, line, parsed, parse_email);
}

static const char *parse_fingerprint(cmd_parms *cmd, const char *line,
                                     const void **parsed)
{
    return parse_line(cmd, line, parsed, parse_fingerprint);
}

/* ------------------------------------------------------------------ */
/* request time                                                        */

static int arg_matches(const amt_require_t *rq, const char *have)
{
    int i;

    for (i = 0; i < rq->args->nelts; i++) {
        if (rq->rule->match(APR_ARRAY_IDX(rq->args, i, const char *), have)) {
            return 1;
        }
    }
    return 0;
}

/* 1 when some SAN of the rule's kind matches an argument (the SANs are
 * read through the variables) */
static int san_matches(request_rec *r, amt_verdict_t *v,
                       const amt_require_t *rq)
{
    const char *have;
    int n;

    for (n = 0; n <= AMT_MAX_SAN_INDEX; n++) {
        have = amt_verdict_var(r, v, apr_psprintf(r->pool,
                                                  "SSL_CLIENT_SAN_%s_%d",
                                                  rq->rule->san, n), 0);
        if (have == NULL) break;
        if (arg_matches(rq, have)) return 1;
    }
    return 0;
}

static authz_status check(request_rec *r, const char *line,
                          const void *parsed)
{
    const amt_require_t *rq = parsed;
    const amt_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &alb_mtls_module);
    const char *name = rq->rule->name, *why = NULL, *have;
    amt_verdict_t *v;
    int ok = 0;

    (void)line;
    if (amt_conf_mode(dc) == AMT_VERIFY_NONE) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00200)
                      "Require %s did not match: AlbMtlsVerifyClient is none "
                      "for %s", name, ap_escape_logitem(r->pool, r->uri));
        return AUTHZ_DENIED;
    }
    v = amt_verdict_for(r, dc);
    if (amt_verdict_result(v)->outcome != AMT_OUTCOME_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00201)
                      "Require %s did not match: SSL_CLIENT_VERIFY is %s %s",
                      name, amt_result_string(r->pool, amt_verdict_result(v)),
                      amt_verdict_log_where(r, v));
        return AUTHZ_DENIED;
    }
    switch (rq->rule->looks_at) {
    case LOOKS_AT_NOTHING:
        return AUTHZ_GRANTED;
    case LOOKS_AT_CN:
        have = amt_verdict_subject_cn(r, v);
        ok = have != NULL && arg_matches(rq, have);
        why = apr_psprintf(r->pool, "subject CN \"%s\" is not one of the "
                           "names", have ? ap_escape_logitem(r->pool, have)
                                         : "(none)");
        break;
    case LOOKS_AT_SAN:
        ok = san_matches(r, v, rq);
        why = rq->rule->no_match;
        break;
    case LOOKS_AT_FINGERPRINT:
        have = amt_verdict_var(r, v, "SSL_CLIENT_CERT_SHA256", 0);
        ok = have != NULL && arg_matches(rq, have);
        why = apr_psprintf(r->pool, "SHA-256 fingerprint %s is not one of "
                           "the pinned ones", have ? have : "(none)");
        break;
    }
    if (ok) return AUTHZ_GRANTED;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00202)
                  "Require %s did not match: %s %s", name, why,
                  amt_verdict_log_where(r, v));
    return AUTHZ_DENIED;
}

void amt_authz_register(apr_pool_t *p)
{
    apr_size_t i;

    for (i = 0; i < rules_count; i++) {
        ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, rules[i].name,
                                  AUTHZ_PROVIDER_VERSION, &rules[i].provider,
                                  AP_AUTH_INTERNAL_PER_CONF);
    }
}
