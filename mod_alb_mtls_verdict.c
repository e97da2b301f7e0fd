/*
 * mod_alb_mtls_verdict.c - the verification result of one request.
 *
 * A verdict is made from the certificate headers as they stood when the
 * request was read (amt_verdict_capture, in post_read_request), and only
 * when the TCP peer is a trusted proxy: an untrusted peer's request is NONE
 * in every hook, subrequest and internal redirect, and a header that
 * arrives later (a merged chunked trailer, a header set by another module)
 * never counts.
 *
 * A verdict is computed at most once per request and policy: it is kept on
 * the initial request, so internal redirects, ErrorDocument and subrequests
 * reuse it, and keyed by header name and policy (trust store, depth,
 * optional_no_ca), so two <Location>s with different CA files never share
 * one.  Every consumer (access check, fixups, lookups, Require providers)
 * reads the result and the variables through the functions below, never
 * through the parsed chain, so that the way a verdict is produced (parsed
 * now or taken from a cache) is this file's business alone.
 *
 * The verdict asks the result cache (mod_alb_mtls_cache.c) first, with the
 * header value and the policy: a hit gives the result and the stored
 * variables (amt_entry.h) without parsing; the rare variable an entry does
 * not hold (an _RAW or _n form, a name spelled in another case) is answered
 * by parsing the chain from the header then, without verifying it again.
 * On a miss the verdict verifies and hands the result to the cache to keep,
 * failures included; keys and lifetimes are the cache's business.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_cache.h"
#include "mod_alb_mtls_counters.h"
#include "mod_alb_mtls_reload.h"
#include "mod_alb_mtls_ocsp.h"
#include "mod_alb_mtls_verdict.h"
#include "amt_chain.h"
#include "amt_error.h"
#include "amt_format.h"
#include "amt_vars.h"
#include "amt_entry.h"

typedef struct parsed_header_t {    /* one format and header name, parsed
                                     * once */
    amt_fields_t fields;
    amt_chain_t *chain;             /* NULL: no certificate or failure */
    const char *reason;             /* parse failure, else NULL */
} parsed_header_t;

struct amt_verdict_t {              /* one policy, verified once */
    amt_fields_t fields;            /* the format and its header names */
    int proxy_verified;             /* AlbMtlsProxyVerified on */
    amt_policy_t policy;
    amt_client_cert_t cert;         /* .result always; .chain once parsed */
    const amt_entry_t *entry;       /* the result as cached, or NULL */
    int parsed;                     /* the header was parsed into .chain */
    int logged;                     /* the refusal or failure was logged */
};

typedef struct request_state_t {
    apr_table_t *headers;           /* the certificate headers a trusted peer
                                     * sent, as read; NULL: untrusted peer,
                                     * or never captured (fail closed) */
    apr_array_header_t *parsed;     /* of parsed_header_t */
    apr_array_header_t *verdicts;   /* of amt_verdict_t * */
} request_state_t;

request_rec *amt_initial_request(request_rec *r)
{
    for (;;) {
        if (r->main != NULL) r = r->main;
        else if (r->prev != NULL) r = r->prev;
        else return r;
    }
}

static request_state_t *req_state(request_rec *r)
{
    request_rec *root = amt_initial_request(r);
    request_state_t *st = ap_get_module_config(root->request_config,
                                             &alb_mtls_module);

    if (st == NULL) {
        st = apr_pcalloc(root->pool, sizeof(*st));
        st->parsed = apr_array_make(root->pool, 1, sizeof(parsed_header_t));
        st->verdicts = apr_array_make(root->pool, 1, sizeof(amt_verdict_t *));
        ap_set_module_config(root->request_config, &alb_mtls_module, st);
    }
    return st;
}

void amt_verdict_capture(request_rec *r, apr_table_t *headers)
{
    req_state(r)->headers = headers;
}

static int count_field(void *baton, const char *key, const char *value)
{
    (void)key;
    (void)value;
    ++*(int *)baton;
    return 1;
}

/* The value of the certificate header when exactly one field carries it.
 * httpd merges repeated fields with ", " while reading the request (the
 * decoder refuses the comma); this catches two fields that reach the table
 * apart (names spelled with '_' and '-' are captured apart): NULL with
 * *reason set.  NULL without a reason: no such header, or no capture
 * (untrusted peer). */
static const char *header_value(const request_state_t *st, const char *header,
                                const char **reason)
{
    int fields = 0;

    *reason = NULL;
    if (st->headers == NULL) return NULL;
    apr_table_do(count_field, &fields, st->headers, header, NULL);
    if (fields > 1) {
        *reason = "malformed header: multiple header fields";
        return NULL;
    }
    return fields == 1 ? apr_table_get(st->headers, header) : NULL;
}

/* the values of every field of a format (NULL where absent); NULL with
 * *reason set when one of them came in several fields */
static int header_values(const request_state_t *st,
                         const amt_fields_t *fields,
                         const char *values[AMT_FORMAT_MAX_FIELDS],
                         const char **reason)
{
    int i, any = 0;

    *reason = NULL;
    for (i = 0; i < fields->nfields; i++) {
        values[i] = header_value(st, fields->names[i], reason);
        if (*reason != NULL) return 0;
        if (values[i] != NULL) any = 1;
    }
    return any;
}

static int same_fields(const amt_fields_t *a, const amt_fields_t *b)
{
    return a->format == b->format
           && strcasecmp(a->names[0], b->names[0]) == 0;
}

static const parsed_header_t *parse_header(request_rec *r, request_state_t *st,
                                           const amt_fields_t *fields)
{
    apr_pool_t *pool = amt_initial_request(r)->pool;
    const char *values[AMT_FORMAT_MAX_FIELDS];
    parsed_header_t *pr;
    int i;

    for (i = 0; i < st->parsed->nelts; i++) {
        pr = &APR_ARRAY_IDX(st->parsed, i, parsed_header_t);
        if (same_fields(&pr->fields, fields)) return pr;
    }
    pr = apr_array_push(st->parsed);
    pr->fields = *fields;
    pr->chain = NULL;
    pr->reason = NULL;
    if (header_values(st, fields, values, &pr->reason)) {
        apr_status_t rv = amt_format_chain(&pr->chain, pool, fields, values,
                                           &pr->reason);
        if (rv != APR_SUCCESS) {
            pr->chain = NULL;
            if (pr->reason == NULL) pr->reason = amt_strerror(pool, rv);
        }
    }
    return pr;
}

/* the chain of v, parsed from the header on first use (a cache hit does
 * not parse it); NULL when there is none or it does not parse */
static const amt_client_cert_t *verdict_cert(request_rec *r, amt_verdict_t *v)
{
    if (!v->parsed) {
        const parsed_header_t *pr = parse_header(r, req_state(r),
                                                 &v->fields);
        v->cert.chain = pr->chain;
        v->parsed = 1;
    }
    return &v->cert;
}

amt_verdict_t *amt_verdict_for(request_rec *r, const amt_dir_conf *dc)
{
    request_state_t *st = req_state(r);
    apr_pool_t *pool = amt_initial_request(r)->pool;
    const char *header = amt_conf_header(dc);
    int proxy_verified = amt_conf_proxy_verified(dc);
    amt_format_e format = amt_conf_format(dc);
    const parsed_header_t *pr;
    amt_verdict_t *v;
    amt_policy_t policy;
    amt_cache_slot_t slot;
    STACK_OF(X509) *path = NULL;
    const amt_fields_t *fields;
    const char *values[AMT_FORMAT_MAX_FIELDS];
    const char *key_name, *key_value, *reason;
    apr_size_t key_len;
    int i;

    amt_conf_policy(&policy, dc);
    amt_reload_pin(r, dc, &policy);
    if (header == NULL) {       /* base64-der without AlbMtlsHeader: refused
                                 * at start-up; fail closed all the same */
        v = apr_pcalloc(pool, sizeof(*v));
        v->parsed = 1;
        amt_result_fail(&v->cert.result, AMT_FAIL_CONFIG, "AlbMtlsHeaderFormat "
                        "base64-der needs AlbMtlsHeader");
        amt_count_result(&v->cert.result);
        return v;
    }
    /* every hook asks again: find the verdict before building anything */
    for (i = 0; i < st->verdicts->nelts; i++) {
        v = APR_ARRAY_IDX(st->verdicts, i, amt_verdict_t *);
        if (amt_policy_same(&v->policy, &policy)
            && v->fields.format == format
            && strcasecmp(v->fields.names[0], header) == 0
            && v->proxy_verified == proxy_verified) {
            return v;
        }
    }
    v = apr_pcalloc(pool, sizeof(*v));
    APR_ARRAY_PUSH(st->verdicts, amt_verdict_t *) = v;
    amt_format_fields(&v->fields, pool, format, header);
    fields = &v->fields;
    v->proxy_verified = proxy_verified;
    v->policy = policy;
    if (policy.ocsp != NULL) {
        /* a <Location> merge made it from the (sub)request's pool; the
         * verdict lives on the initial request (its strings and
         * certificates belong to the configuration) */
        v->policy.ocsp = apr_pmemdup(pool, policy.ocsp,
                                     sizeof(*policy.ocsp));
    }
    if (st->headers == NULL) {          /* untrusted peer: NONE, always */
        v->cert.result.error_depth = -1;
        v->parsed = 1;
        amt_count_result(&v->cert.result);
        return v;
    }

    /* the cache: "have you got it?" (a value in several fields has no
     * key: it fails in the parse below) */
    key_name = header;
    key_value = NULL;
    if (header_values(st, fields, values, &reason)) {
        amt_format_key_input(&key_name, &key_value, &key_len, pool,
                             fields, values, proxy_verified);
    }
    v->entry = amt_cache_lookup(r, &slot, &v->policy, key_name, key_value);
    if (v->entry != NULL) {
        v->cert.result = v->entry->result;
        amt_count_result(&v->cert.result);
        return v;
    }

    pr = parse_header(r, st, fields);
    v->cert.chain = pr->chain;
    v->parsed = 1;
    if (pr->reason != NULL) {
        amt_result_fail(&v->cert.result, AMT_FAIL_MALFORMED, pr->reason);
    }
    else if (proxy_verified) {
        /* AlbMtlsProxyVerified on: the trusted proxy verified the chain
         * (st->headers is set only for a trusted peer); a certificate that
         * decoded and parsed is SUCCESS, none is NONE */
        memset(&v->cert.result, 0, sizeof(v->cert.result));
        v->cert.result.error_depth = -1;
        if (pr->chain != NULL) v->cert.result.outcome = AMT_OUTCOME_SUCCESS;
    }
    else if (amt_verify_chain_path(&v->cert.result, pool, &v->policy,
                                   pr->chain, 0,
                                   amt_ocsp_mode(v->policy.ocsp)
                                   != AMT_OCSP_OFF ? &path : NULL)
             != APR_SUCCESS) {
        amt_result_fail(&v->cert.result, AMT_FAIL_CONFIG, "internal error");
        slot.usable = 0;                /* not the chain's fault: no entry */
    }
    else if (fields->format == AMT_FORMAT_ALB_VERIFY
             && v->cert.result.outcome == AMT_OUTCOME_FAILED
             && (v->cert.result.x509_error
                     == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
                 || v->cert.result.x509_error
                     == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)) {
        /* the leaf came alone: its issuer can only be a trust anchor */
        v->cert.result.reason = "unable to get local issuer certificate (the "
            "alb-verify format sends the leaf alone: AlbMtlsCAFile or "
            "AlbMtlsCAPath must hold the intermediate CAs too)";
    }
    else {
        /* OCSP, on a miss only (mod_alb_mtls_ocsp.c) */
        amt_ocsp_apply(r, &v->policy, path, &v->cert.result);
    }
    amt_count_result(&v->cert.result);
    /* the cache: "keep this" */
    amt_cache_keep(r, &slot, &v->cert,
                   (amt_conf_options(dc) & AMT_OPT_EXPORT_CERT_DATA) != 0);
    return v;
}

const amt_result_t *amt_verdict_result(const amt_verdict_t *v)
{
    return &v->cert.result;
}

int amt_verdict_is_verified(const amt_verdict_t *v)
{
    return v->cert.result.outcome == AMT_OUTCOME_SUCCESS;
}

const char *amt_verdict_var(request_rec *r, amt_verdict_t *v,
                            const char *name, int options)
{
    if (v->entry != NULL) {
        int answered;
        const char *value = amt_entry_var(r->pool, v->entry, name,
                                          options,
                                          (time_t)apr_time_sec(apr_time_now()),
                                          &answered);
        if (answered) return value;
    }
    return amt_var_lookup(r->pool, verdict_cert(r, v), name, options);
}

void amt_verdict_export(request_rec *r, amt_verdict_t *v, apr_table_t *env,
                        int options)
{
    if (v->entry != NULL
        && amt_entry_export(env, r->pool, v->entry, options,
                            (time_t)apr_time_sec(apr_time_now()))
           == APR_SUCCESS) {
        return;
    }
    amt_vars_export(env, r->pool, verdict_cert(r, v), options);
}

const char *amt_verdict_subject_cn(request_rec *r, const amt_verdict_t *v)
{
    if (!amt_verdict_is_verified(v)) return NULL;
    if (v->entry != NULL) return v->entry->subject_cn;
    if (v->cert.chain == NULL) return NULL;
    return amt_cert_subject_cn(r->pool, v->cert.chain->leaf);
}

int amt_verdict_log_once(amt_verdict_t *v)
{
    if (v->logged) return 0;
    v->logged = 1;
    return 1;
}

/* ", subject \"...\"" when the leaf parsed, else "" */
static const char *log_subject(request_rec *r, const amt_verdict_t *v)
{
    if (v->entry != NULL) {
        return v->entry->log_subject == NULL ? ""
            : apr_psprintf(r->pool, ", subject \"%s\"", v->entry->log_subject);
    }
    if (v->cert.chain == NULL || v->cert.chain->leaf == NULL) return "";
    return apr_psprintf(r->pool, ", subject \"%s\"",
                        amt_cert_subject_for_log(r->pool, v->cert.chain->leaf,
                                                 AMT_LOG_SUBJECT_MAX));
}

const char *amt_verdict_log_where(request_rec *r, const amt_verdict_t *v)
{
    return apr_psprintf(r->pool, "(peer %s%s, uri %s)",
                        r->connection->client_ip, log_subject(r, v),
                        ap_escape_logitem(r->pool, r->uri));
}
