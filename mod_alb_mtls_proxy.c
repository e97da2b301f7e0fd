/*
 * mod_alb_mtls_proxy.c - the certificate headers at the door: which TCP
 * peers are trusted proxies (AlbMtlsTrustedProxy), the capture of their
 * certificate headers in post_read_request, before any other module sees
 * the request, and the removal of certificate headers that an untrusted
 * peer sent or that arrive as chunked trailers.
 *
 * Every verdict of a request is made from that capture
 * (mod_alb_mtls_verdict.c); an untrusted peer's request has none, so its
 * verdict is NONE in every hook, subrequest and internal redirect.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_proxy.h"
#include "mod_alb_mtls_verdict.h"

static apr_array_header_t *default_proxies;

static apr_status_t default_proxies_make(apr_pool_t *p)
{
    static const char *const nets[][2] = {
        { "127.0.0.0", "8" }, { "::1", NULL }, { "10.0.0.0", "8" },
        { "172.16.0.0", "12" }, { "192.168.0.0", "16" }, { "fc00::", "7" }
    };
    apr_size_t i;

    default_proxies = apr_array_make(p, 6, sizeof(apr_ipsubnet_t *));
    for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
        apr_ipsubnet_t *sub;
        apr_status_t rv = apr_ipsubnet_create(&sub, nets[i][0], nets[i][1], p);
        if (rv != APR_SUCCESS) return rv;
        APR_ARRAY_PUSH(default_proxies, apr_ipsubnet_t *) = sub;
    }
    return APR_SUCCESS;
}

/* whether the TCP peer at addr may send certificate headers */
static int peer_is_trusted(const amt_srv_conf *sc, apr_sockaddr_t *addr)
{
    const apr_array_header_t *list;
    int i;

    if (sc->proxy_any == 1) return 1;
    list = sc->proxies ? sc->proxies : default_proxies;
    if (list == NULL || addr == NULL) return 0;
    for (i = 0; i < list->nelts; i++) {
        if (apr_ipsubnet_test(APR_ARRAY_IDX(list, i, apr_ipsubnet_t *),
                              addr)) {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    const amt_srv_conf *sc;
    apr_array_header_t *doomed;
} strip_ctx;

/* Names compare case-insensitively with '_' equal to '-'. */
static int header_matches(const char *key, const char *name)
{
    for (; *name; key++, name++) {
        char a = *key == '_' ? '-' : apr_tolower(*key);
        char b = *name == '_' ? '-' : apr_tolower(*name);
        if (a != b) return 0;
    }
    return *key == '\0' || *key == '-' || *key == '_';
}

static int collect_doomed(void *baton, const char *key, const char *value)
{
    strip_ctx *ctx = baton;
    int i;

    (void)value;
    if (header_matches(key, AMT_DEFAULT_HEADER)) {
        APR_ARRAY_PUSH(ctx->doomed, const char *) = key;
        return 1;
    }
    for (i = 0; i < ctx->sc->headers->nelts; i++) {
        if (header_matches(key, APR_ARRAY_IDX(ctx->sc->headers, i,
                                              const char *))) {
            APR_ARRAY_PUSH(ctx->doomed, const char *) = key;
            return 1;
        }
    }
    return 1;
}

/* the entries of a table whose names are certificate headers of sc */
static apr_array_header_t *matching_keys(request_rec *r,
                                         const amt_srv_conf *sc,
                                         apr_table_t *t)
{
    strip_ctx ctx;

    ctx.sc = sc;
    ctx.doomed = apr_array_make(r->pool, 1, sizeof(const char *));
    apr_table_do(collect_doomed, &ctx, t, NULL);
    return ctx.doomed;
}

#define TRAILER_FILTER "ALB_MTLS_TRAILERS"

static int proxy_post_read_request(request_rec *r)
{
    const amt_srv_conf *sc = ap_get_module_config(r->server->module_config,
                                                  &alb_mtls_module);
    apr_array_header_t *keys = matching_keys(r, sc, r->headers_in);
    apr_table_t *captured = NULL;
    int i;

    if (peer_is_trusted(sc, r->connection->client_addr)) {
        captured = apr_table_make(r->pool, keys->nelts ? keys->nelts : 1);
        for (i = 0; i < keys->nelts; i++) {
            const char *key = APR_ARRAY_IDX(keys, i, const char *);
            apr_table_addn(captured, key, apr_table_get(r->headers_in, key));
        }
    }
    else {
        for (i = 0; i < keys->nelts; i++) {
            const char *key = APR_ARRAY_IDX(keys, i, const char *);
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00104)
                          "removed header %s sent by untrusted peer %s (not "
                          "in AlbMtlsTrustedProxy)",
                          ap_escape_logitem(r->pool, key),
                          r->connection->client_ip);
            apr_table_unset(r->headers_in, key);
        }
    }
    amt_verdict_capture(r, captured);
    /* trailers come only with a body: chunked in HTTP/1.1, DATA frames in
     * HTTP/2 */
    if (apr_table_get(r->headers_in, "Transfer-Encoding") != NULL
        || r->proto_num >= HTTP_VERSION(2, 0)) {
        ap_add_input_filter(TRAILER_FILTER, captured, r, r->connection);
    }
    return DECLINED;
}

/* Certificate headers sent as trailers never count (verdicts use the
 * capture of post_read_request) and never reach the application: they are
 * removed from r->trailers_in and, where MergeTrailers copied them, from
 * r->headers_in, which gets back the values of the capture. */
static apr_status_t trailer_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                       ap_input_mode_t mode,
                                       apr_read_type_e block,
                                       apr_off_t readbytes)
{
    request_rec *r = f->r;
    apr_status_t rv = ap_get_brigade(f->next, bb, mode, block, readbytes);
    const amt_srv_conf *sc;
    apr_array_header_t *keys;
    int i;

    if (rv != APR_SUCCESS || r->trailers_in == NULL
        || apr_is_empty_table(r->trailers_in)) {
        return rv;
    }
    sc = ap_get_module_config(r->server->module_config, &alb_mtls_module);
    keys = matching_keys(r, sc, r->trailers_in);
    if (keys->nelts == 0) return rv;
    for (i = 0; i < keys->nelts; i++) {
        const char *key = APR_ARRAY_IDX(keys, i, const char *);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00106)
                      "removed header %s sent as a trailer by peer %s: "
                      "certificate headers count only in the request's "
                      "header section", ap_escape_logitem(r->pool, key),
                      r->connection->client_ip);
        apr_table_unset(r->trailers_in, key);
    }
    keys = matching_keys(r, sc, r->headers_in);
    for (i = 0; i < keys->nelts; i++) {
        apr_table_unset(r->headers_in, APR_ARRAY_IDX(keys, i, const char *));
    }
    if (f->ctx != NULL) {
        r->headers_in = apr_table_overlay(r->pool, r->headers_in, f->ctx);
    }
    return rv;
}

static int proxy_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    if (default_proxies_make(pconf) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, NULL, AMTLOGNO(00001)
                     "cannot build the default AlbMtlsTrustedProxy list");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Completes each server's list of header names to strip or capture: the
 * descriptive headers of alb-verify are named after its leaf header
 * (amt_format_fields), so where alb-verify is used anywhere in a server,
 * every AlbMtlsHeader there gets its -Subject, -Issuer, ... names too (the
 * other formats' extra fields, such as Client-Cert-Chain, begin with their
 * leaf header's name and match it already). */
static int proxy_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *main_server)
{
    server_rec *s;

    (void)plog;
    (void)ptemp;
    for (s = main_server; s != NULL; s = s->next) {
        amt_srv_conf *sc = ap_get_module_config(s->module_config,
                                                &alb_mtls_module);
        apr_array_header_t *more;
        int i, j;

        if (!(sc->formats_used & (1u << AMT_FORMAT_ALB_VERIFY))) continue;
        more = apr_array_make(pconf, sc->headers->nelts * 5,
                              sizeof(const char *));
        for (i = 0; i < sc->headers->nelts; i++) {
            amt_fields_t fields;
            amt_format_fields(&fields, pconf, AMT_FORMAT_ALB_VERIFY,
                              APR_ARRAY_IDX(sc->headers, i, const char *));
            for (j = 1; j < fields.nfields; j++) {
                APR_ARRAY_PUSH(more, const char *) = fields.names[j];
            }
        }
        sc->headers = apr_array_append(pconf, sc->headers, more);
    }
    return OK;
}

void amt_proxy_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(proxy_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(proxy_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* before any other module sees the request's headers */
    ap_hook_post_read_request(proxy_post_read_request, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_register_input_filter(TRAILER_FILTER, trailer_filter, NULL,
                             AP_FTYPE_RESOURCE);
}
