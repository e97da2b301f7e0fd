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

#include "mod_alb_mtls_private.h"
#include "amt_match.h"
#include "amt_vars.h"

/* SAN indexes the variables accept (SSL_CLIENT_SAN_*_n, 1 to 4 digits) */
#define AMT_MAX_SAN_INDEX 9999

typedef enum {
    RQ_VERIFIED, RQ_CN, RQ_DNS, RQ_URI, RQ_EMAIL, RQ_FINGERPRINT
} rq_kind_e;

static const char *const rq_names[] = {
    "alb-mtls", "alb-mtls-cn", "alb-mtls-san-dns", "alb-mtls-san-uri",
    "alb-mtls-san-email", "alb-mtls-fingerprint"
};

typedef struct {
    rq_kind_e kind;
    apr_array_header_t *args;       /* of const char *, normalised */
} amt_require_t;

/* ------------------------------------------------------------------ */
/* configuration time                                                  */

static const char *rq_fail(cmd_parms *cmd, rq_kind_e kind, const char *msg)
{
    return apr_psprintf(cmd->pool, "Require %s: %s", rq_names[kind], msg);
}

static const char *parse_line(cmd_parms *cmd, const char *line,
                              const void **parsed, rq_kind_e kind)
{
    amt_require_t *rq = apr_pcalloc(cmd->pool, sizeof(*rq));
    const char *word;

    rq->kind = kind;
    rq->args = apr_array_make(cmd->pool, 2, sizeof(const char *));
    while (*(word = ap_getword_conf(cmd->pool, &line)) != '\0') {
        const char *err = NULL, *norm = word;
        apr_status_t rv = APR_SUCCESS;

        switch (kind) {
        case RQ_VERIFIED:
            return rq_fail(cmd, kind, "takes no arguments (use "
                           "alb-mtls-cn, -san-dns, -san-uri, -san-email or "
                           "-fingerprint to name clients)");
        case RQ_CN:
            break;
        case RQ_DNS:
            rv = amt_parse_dns_pattern(&norm, cmd->pool, word, &err);
            break;
        case RQ_URI:
            rv = amt_parse_uri(cmd->pool, word, &err);
            break;
        case RQ_EMAIL:
            rv = amt_parse_email(cmd->pool, word, &err);
            break;
        case RQ_FINGERPRINT:
            rv = amt_parse_fingerprint(&norm, cmd->pool, word, &err);
            break;
        }
        if (rv != APR_SUCCESS) return rq_fail(cmd, kind, err);
        APR_ARRAY_PUSH(rq->args, const char *) = norm;
    }
    if (kind != RQ_VERIFIED && rq->args->nelts == 0) {
        return rq_fail(cmd, kind, "needs one or more values");
    }
    *parsed = rq;
    return NULL;
}

#define PARSER(fn, kind)                                                    \
    static const char *fn(cmd_parms *cmd, const char *line,                \
                          const void **parsed)                             \
    {                                                                      \
        return parse_line(cmd, line, parsed, kind);                        \
    }
PARSER(parse_verified, RQ_VERIFIED)
PARSER(parse_cn, RQ_CN)
PARSER(parse_dns, RQ_DNS)
PARSER(parse_uri, RQ_URI)
PARSER(parse_email, RQ_EMAIL)
PARSER(parse_fingerprint, RQ_FINGERPRINT)

/* ------------------------------------------------------------------ */
/* request time                                                        */

/* The n-th SAN of a kind ("DNS", "URI", "Email"), through the variables. */
static const char *san_at(request_rec *r, amt_verdict_t *v, const char *kind,
                          int n)
{
    return amt_verdict_var(r, v, apr_psprintf(r->pool, "SSL_CLIENT_SAN_%s_%d",
                                              kind, n), 0);
}

/* The leaf's SHA-256 fingerprint, lowercase hex, through the variables. */
static const char *leaf_sha256(request_rec *r, amt_verdict_t *v)
{
    return amt_verdict_var(r, v, "SSL_CLIENT_CERT_SHA256", 0);
}

static int arg_matches(const amt_require_t *rq, const char *have)
{
    int i;

    for (i = 0; i < rq->args->nelts; i++) {
        const char *want = APR_ARRAY_IDX(rq->args, i, const char *);
        switch (rq->kind) {
        case RQ_DNS:
            if (amt_match_dns(want, have)) return 1;
            break;
        case RQ_EMAIL:
            if (amt_match_email(want, have)) return 1;
            break;
        default:
            if (strcmp(want, have) == 0) return 1;
            break;
        }
    }
    return 0;
}

/* 1 when some SAN of the kind matches an argument */
static int san_matches(request_rec *r, amt_verdict_t *v,
                       const amt_require_t *rq, const char *kind)
{
    const char *have;
    int n;

    for (n = 0; n <= AMT_MAX_SAN_INDEX
                && (have = san_at(r, v, kind, n)) != NULL; n++) {
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
    const char *name = rq_names[rq->kind], *why, *cn;
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
    switch (rq->kind) {
    case RQ_VERIFIED:
        return AUTHZ_GRANTED;
    case RQ_CN:
        cn = amt_verdict_subject_cn(r, v);
        ok = cn != NULL && arg_matches(rq, cn);
        why = apr_psprintf(r->pool, "subject CN \"%s\" is not one of the "
                           "names", cn ? ap_escape_logitem(r->pool, cn)
                                       : "(none)");
        break;
    case RQ_DNS:
        ok = san_matches(r, v, rq, "DNS");
        why = "no DNS subjectAltName matches";
        break;
    case RQ_URI:
        ok = san_matches(r, v, rq, "URI");
        why = "no URI subjectAltName matches";
        break;
    case RQ_EMAIL:
        ok = san_matches(r, v, rq, "Email");
        why = "no email subjectAltName matches";
        break;
    case RQ_FINGERPRINT: {
        const char *fp = leaf_sha256(r, v);
        ok = fp != NULL && arg_matches(rq, fp);
        why = apr_psprintf(r->pool, "SHA-256 fingerprint %s is not one of "
                           "the pinned ones", fp ? fp : "(none)");
        break;
    }
    default:
        why = "unknown rule";
        break;
    }
    if (ok) return AUTHZ_GRANTED;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AMTLOGNO(00202)
                  "Require %s did not match: %s %s", name, why,
                  amt_verdict_log_where(r, v));
    return AUTHZ_DENIED;
}

static const authz_provider providers[] = {
    { check, parse_verified },
    { check, parse_cn },
    { check, parse_dns },
    { check, parse_uri },
    { check, parse_email },
    { check, parse_fingerprint },
};

void amt_authz_register(apr_pool_t *p)
{
    apr_size_t i;

    for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
        ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, rq_names[i],
                                  AUTHZ_PROVIDER_VERSION, &providers[i],
                                  AP_AUTH_INTERNAL_PER_CONF);
    }
}
