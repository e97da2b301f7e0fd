/*
 * mod_alb_mtls_reload.c - CA and CRL files that take effect without a
 * restart.
 *
 * Every section's CA lines and CRL lines each make one source
 * (src/amt_source.h), read while the configuration is read; sections that
 * name the same files in the same order share one source, so it is checked
 * and read once per child.  A registry in the configuration pool knows
 * every source, the servers whose sections use it (for their
 * AlbMtlsReloadInterval) and the warnings already given.
 *
 * A request's path (amt_reload_pin, from the verdict): per source one
 * comparison of the request time with the next check; the one thread that
 * finds a check due stats the files and, when they changed, reads them and
 * switches; then the request pins the current load (a reference, under the
 * source's mutex) until its pool is destroyed.  Everything below the
 * comparison happens once per interval per child.
 *
 * The reload times and numbers are this process's (each child checks for
 * itself); the mod_status page says so.
 */
#include <string.h>

#include "apr.h"
#if APR_HAVE_UNISTD_H
#include <unistd.h>             /* getpid(), which newer glibcs bring in
                                 * with other headers, Debian 11's not */
#endif

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "mod_status.h"
#include "apr_atomic.h"
#include "apr_hash.h"
#include "apr_optional_hooks.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_reload.h"
#include "mod_alb_mtls_verdict.h"

/* a CRL is "expiring" when less than this remains before its nextUpdate */
#define CRL_WARN_BEFORE  apr_time_from_sec(24 * 3600)
/* the expiring and expired warnings: at most once per this, per source and
 * process */
#define CRL_WARN_EVERY   apr_time_from_sec(3600)
/* with AlbMtlsReloadInterval 0, how often a CRL source is looked at for
 * the warnings (no file is read) */
#define CRL_WARN_CHECK   apr_time_from_sec(60)

#define REGISTRY_KEY "alb-mtls-sources"
#define PINS_KEY     "alb-mtls-pins"

typedef struct entry_t {
    amt_source_t *src;
    const char *key;                /* kind and paths, in order */
    const char *label;              /* "AlbMtlsCRLFile a, b" for logs */
    apr_array_header_t *servers;    /* of server_rec *: whose sections */
    int users;                      /* sections whose source it is */
    apr_time_t warned;              /* last expiry warning (checker only) */
} entry_t;

typedef struct registry_t {
    apr_hash_t *by_key;
    apr_hash_t *by_src;
    apr_array_header_t *entries;    /* of entry_t * */
} registry_t;

/* this configuration cycle's registry, from post_config on */
static registry_t *live;

/* this process's reloads (written by checking threads; read by mod_status
 * without a lock: a torn read shows a wrong time, nothing worse) */
static struct {
    apr_time_t last_reload;
    apr_time_t last_failed;
    volatile apr_uint32_t reloads;
    volatile apr_uint32_t failures;
} proc;

static registry_t *registry(apr_pool_t *pconf)
{
    void *data = NULL;
    registry_t *reg;

    apr_pool_userdata_get(&data, REGISTRY_KEY, pconf);
    if (data != NULL) return data;
    reg = apr_pcalloc(pconf, sizeof(*reg));
    reg->by_key = apr_hash_make(pconf);
    reg->by_src = apr_hash_make(pconf);
    reg->entries = apr_array_make(pconf, 8, sizeof(entry_t *));
    apr_pool_userdata_set(reg, REGISTRY_KEY, apr_pool_cleanup_null, pconf);
    return reg;
}

static entry_t *entry_of(registry_t *reg, amt_source_t *src)
{
    return reg ? apr_hash_get(reg->by_src, &src, sizeof(src)) : NULL;
}

static const char *label_of(apr_pool_t *p, const amt_source_t *src)
{
    int kind_crl = amt_source_kind(src) == AMT_SOURCE_CRL;
    const char *s = NULL;
    int i, is_dir;

    for (i = 0; i < amt_source_paths(src); i++) {
        const char *path = amt_source_path(src, i, &is_dir);
        const char *one = apr_psprintf(p, "AlbMtls%s%s %s",
                                       kind_crl ? "CRL" : "CA",
                                       is_dir ? "Path" : "File", path);
        s = s ? apr_pstrcat(p, s, ", ", one, NULL) : one;
    }
    return s ? s : "(none)";
}

const char *amt_reload_add(cmd_parms *cmd, amt_source_t **src,
                           amt_source_kind_e kind, int is_dir,
                           const char *path)
{
    registry_t *reg = registry(cmd->pool);
    entry_t *old = *src ? entry_of(reg, *src) : NULL;
    const char *key, *err = NULL;
    entry_t *e;
    int i;

    key = apr_psprintf(cmd->pool, "%s%c%s\n",
                       old ? old->key : (kind == AMT_SOURCE_CRL ? "crl\n"
                                                                : "ca\n"),
                       is_dir ? 'D' : 'F', path);
    e = apr_hash_get(reg->by_key, key, APR_HASH_KEY_STRING);
    if (e == NULL) {
        amt_source_t *s;
        if (amt_source_make(&s, cmd->pool, kind) != APR_SUCCESS) {
            return "cannot create a source";
        }
        for (i = 0; old != NULL && i < amt_source_paths(old->src); i++) {
            int d;
            const char *p = amt_source_path(old->src, i, &d);
            amt_source_add(s, p, d, cmd->pool);
        }
        amt_source_add(s, path, is_dir, cmd->pool);
        if (amt_source_read(s, cmd->pool, &err) != APR_SUCCESS) return err;
        e = apr_pcalloc(cmd->pool, sizeof(*e));
        e->src = s;
        e->key = key;
        e->label = label_of(cmd->pool, s);
        e->servers = apr_array_make(cmd->pool, 2, sizeof(server_rec *));
        apr_hash_set(reg->by_key, key, APR_HASH_KEY_STRING, e);
        apr_hash_set(reg->by_src, &e->src, sizeof(e->src), e);
        APR_ARRAY_PUSH(reg->entries, entry_t *) = e;
    }
    if (old != e) {
        if (old != NULL) old->users--;
        e->users++;
    }
    for (i = 0; i < e->servers->nelts; i++) {
        if (APR_ARRAY_IDX(e->servers, i, server_rec *) == cmd->server) break;
    }
    if (i == e->servers->nelts) {
        APR_ARRAY_PUSH(e->servers, server_rec *) = cmd->server;
    }
    *src = e->src;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* the check, once per interval per child                              */

static const char *fmt_time(apr_pool_t *p, apr_time_t t)
{
    return t ? ap_ht_time(p, t, "%Y-%m-%d %H:%M:%S %Z", 1) : "never";
}

/* expiring and expired CRLs of e's current load: one line each, at most
 * once per CRL_WARN_EVERY for the source */
static void crl_warnings(server_rec *s, entry_t *e, apr_time_t now,
                         apr_pool_t *p)
{
    amt_load_t *load;
    const amt_crl_t *crl;
    int i, logged = 0;

    if (e->warned != 0 && now - e->warned < CRL_WARN_EVERY) return;
    load = amt_source_acquire(e->src);
    crl = amt_load_crl(load);
    for (i = 0; crl != NULL && i < amt_crl_count(crl); i++) {
        const char *issuer;
        time_t this_update, next_update;
        apr_time_t next;

        amt_crl_describe(crl, i, p, &issuer, &this_update, &next_update);
        if (next_update == 0) continue;
        next = apr_time_from_sec(next_update);
        if (next <= now) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, AMTLOGNO(00045)
                         "CRL of %s from %s expired at %s (nextUpdate): "
                         "every check that needs it fails with \"CRL has "
                         "expired\" until a fresh CRL is published",
                         issuer, e->label, fmt_time(p, next));
            logged = 1;
        }
        else if (next - now < CRL_WARN_BEFORE) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, AMTLOGNO(00044)
                         "CRL of %s from %s expires at %s (nextUpdate, in "
                         "%" APR_TIME_T_FMT " min): publish a fresh CRL "
                         "before then", issuer, e->label, fmt_time(p, next),
                         (apr_time_t)apr_time_sec(next - now) / 60);
            logged = 1;
        }
    }
    amt_source_release(e->src, load);
    if (logged) e->warned = now;
}

static void check(request_rec *r, amt_source_t *src)
{
    entry_t *e = entry_of(live, src);
    apr_time_t now = apr_time_now();
    const char *err = NULL;
    apr_pool_t *tp;
    amt_check_e rc;

    if (apr_pool_create(&tp, r->pool) != APR_SUCCESS) tp = r->pool;
    rc = amt_source_check(src, now, tp, &err);
    switch (rc) {
    case AMT_CHECK_RELOADED:
        proc.last_reload = now;
        apr_atomic_inc32(&proc.reloads);
        if (e) e->warned = 0;
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, r->server, AMTLOGNO(00042)
                     "%s changed: read again, in use from now on in this "
                     "process (pid %" APR_PID_T_FMT ")",
                     e ? e->label : "a CA or CRL file", getpid());
        break;
    case AMT_CHECK_FAILED:
        proc.last_failed = now;
        apr_atomic_inc32(&proc.failures);
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, r->server, AMTLOGNO(00043)
                     "%s changed but cannot be used, keeping the previous "
                     "content (pid %" APR_PID_T_FMT "): %s",
                     e ? e->label : "a CA or CRL file", getpid(),
                     err ? err : "unknown error");
        break;
    default:
        break;
    }
    if (e != NULL && amt_source_kind(src) == AMT_SOURCE_CRL) {
        crl_warnings(r->server, e, now, tp);
    }
    if (tp != r->pool) apr_pool_destroy(tp);
}

/* ------------------------------------------------------------------ */
/* pins                                                                */

typedef struct pin_t {
    amt_source_t *src;
    amt_load_t *load;
} pin_t;

static apr_status_t pins_release(void *data)
{
    apr_array_header_t *pins = data;
    int i;

    for (i = 0; i < pins->nelts; i++) {
        pin_t *pin = &APR_ARRAY_IDX(pins, i, pin_t);
        amt_source_release(pin->src, pin->load);
    }
    pins->nelts = 0;
    return APR_SUCCESS;
}

static amt_load_t *pin(request_rec *r, amt_source_t *src)
{
    request_rec *root;
    apr_array_header_t *pins;
    void *data = NULL;
    pin_t *pn;
    int i;

    if (amt_source_due(src, r->request_time)) check(r, src);
    /* interval 0: the load never changes, nothing to pin */
    if (amt_source_interval(src) == 0) return amt_source_current(src);
    root = amt_initial_request(r);
    apr_pool_userdata_get(&data, PINS_KEY, root->pool);
    pins = data;
    if (pins == NULL) {
        pins = apr_array_make(root->pool, 2, sizeof(pin_t));
        apr_pool_userdata_setn(pins, PINS_KEY, NULL, root->pool);
        apr_pool_cleanup_register(root->pool, pins, pins_release,
                                  apr_pool_cleanup_null);
    }
    for (i = 0; i < pins->nelts; i++) {
        pn = &APR_ARRAY_IDX(pins, i, pin_t);
        if (pn->src == src) return pn->load;
    }
    pn = apr_array_push(pins);
    pn->src = src;
    pn->load = amt_source_acquire(src);
    return pn->load;
}

void amt_reload_pin(request_rec *r, const amt_dir_conf *dc,
                    amt_policy_t *policy)
{
    policy->trust = dc->trust ? amt_load_trust(pin(r, dc->trust)) : NULL;
    policy->crl = dc->crl ? amt_load_crl(pin(r, dc->crl)) : NULL;
}

/* ------------------------------------------------------------------ */
/* post_config: each source's interval                                 */

static int server_interval(server_rec *s)
{
    amt_srv_conf *sc = ap_get_module_config(s->module_config,
                                            &alb_mtls_module);

    return sc->reload_interval == AMT_UNSET ? AMT_DEFAULT_RELOAD_INTERVAL
                                            : sc->reload_interval;
}

static apr_status_t live_cleanup(void *data)
{
    (void)data;
    live = NULL;
    return APR_SUCCESS;
}

static int reload_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s)
{
    registry_t *reg = registry(pconf);
    int i, j;

    (void)plog;
    (void)ptemp;
    (void)s;
    for (i = 0; i < reg->entries->nelts; i++) {
        entry_t *e = APR_ARRAY_IDX(reg->entries, i, entry_t *);
        int best = 0;

        /* a source named in servers with different intervals: the
         * shortest that is not 0 */
        for (j = 0; j < e->servers->nelts; j++) {
            int iv = server_interval(APR_ARRAY_IDX(e->servers, j,
                                                   server_rec *));
            if (iv > 0 && (best == 0 || iv < best)) best = iv;
        }
        amt_source_set_interval(e->src, apr_time_from_sec(best),
                                amt_source_kind(e->src) == AMT_SOURCE_CRL
                                    ? CRL_WARN_CHECK : 0);
    }
    live = reg;
    apr_pool_cleanup_register(pconf, NULL, live_cleanup,
                              apr_pool_cleanup_null);
    memset(&proc, 0, sizeof(proc));
    return OK;
}

/* ------------------------------------------------------------------ */
/* mod_status                                                          */

static void status_line(request_rec *r, int flags, const char *name,
                        const char *value, const char *html)
{
    if (flags & AP_STATUS_SHORT) {
        ap_rprintf(r, "AlbMtls%s: %s\n", name, value);
    }
    else {
        ap_rprintf(r, "<tr><td>%s</td><td>%s</td></tr>\n", name,
                   ap_escape_html(r->pool, html));
    }
}

static const char *epoch(apr_pool_t *p, apr_time_t t)
{
    return apr_psprintf(p, "%" APR_TIME_T_FMT, (apr_time_t)apr_time_sec(t));
}

static int status_hook(request_rec *r, int flags)
{
    apr_pool_t *p = r->pool;
    int i, j, n = 0;

    if (live == NULL) return OK;
    if (!(flags & AP_STATUS_SHORT)) {
        ap_rprintf(r, "<h2>mod_alb_mtls: CA and CRL files (this process, "
                   "pid %" APR_PID_T_FMT ")</h2>\n<table border=\"0\">\n",
                   getpid());
    }
    status_line(r, flags, "ReloadLast", epoch(p, proc.last_reload),
                fmt_time(p, proc.last_reload));
    status_line(r, flags, "ReloadLastFailed", epoch(p, proc.last_failed),
                fmt_time(p, proc.last_failed));
    status_line(r, flags, "Reloads",
                apr_itoa(p, (int)apr_atomic_read32(&proc.reloads)),
                apr_itoa(p, (int)apr_atomic_read32(&proc.reloads)));
    status_line(r, flags, "ReloadFailures",
                apr_itoa(p, (int)apr_atomic_read32(&proc.failures)),
                apr_itoa(p, (int)apr_atomic_read32(&proc.failures)));
    for (i = 0; i < live->entries->nelts; i++) {
        entry_t *e = APR_ARRAY_IDX(live->entries, i, entry_t *);
        amt_load_t *load;
        const amt_crl_t *crl;

        if (e->users <= 0 || amt_source_kind(e->src) != AMT_SOURCE_CRL) {
            continue;
        }
        load = amt_source_acquire(e->src);
        crl = amt_load_crl(load);
        for (j = 0; crl != NULL && j < amt_crl_count(crl); j++) {
            const char *issuer, *pre;
            time_t tu, nu;

            amt_crl_describe(crl, j, p, &issuer, &tu, &nu);
            pre = apr_psprintf(p, "CRL%d", ++n);
            status_line(r, flags, apr_pstrcat(p, pre, "Issuer", NULL),
                        issuer, issuer);
            status_line(r, flags, apr_pstrcat(p, pre, "ThisUpdate", NULL),
                        epoch(p, apr_time_from_sec(tu)),
                        fmt_time(p, apr_time_from_sec(tu)));
            status_line(r, flags, apr_pstrcat(p, pre, "NextUpdate", NULL),
                        epoch(p, apr_time_from_sec(nu)),
                        fmt_time(p, apr_time_from_sec(nu)));
            status_line(r, flags, apr_pstrcat(p, pre, "Loaded", NULL),
                        epoch(p, amt_load_time(load)),
                        fmt_time(p, amt_load_time(load)));
            status_line(r, flags, apr_pstrcat(p, pre, "Source", NULL),
                        e->label, e->label);
        }
        amt_source_release(e->src, load);
    }
    if (!(flags & AP_STATUS_SHORT)) ap_rputs("</table>\n", r);
    return OK;
}

void amt_reload_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(reload_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
