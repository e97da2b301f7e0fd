/*
 * mod_alb_mtls_cache.c - where verification results are cached.
 *
 *   AlbMtlsCache process[:bytes]   (default) a bounded cache in each child
 *   AlbMtlsCache <socache>[:args]  any mod_socache provider (shmcb,
 *                                  memcache, redis, ...), shared between
 *                                  children or hosts
 *   AlbMtlsCache none
 *
 * Entries are serialised with amt_entry_encode(); what comes back from a
 * shared cache is parsed by amt_entry_decode(), which refuses anything that
 * is not exactly an entry for the key asked (the in-process store's own
 * bytes by amt_entry_decode_own(), which does not rescan their texts).  A
 * shared cache is keyed by the SHA-256 of the key (amt_entry_key); the
 * in-process store by the key's exact bytes (amt_lru.h), which costs no
 * digest on a hit.  A cache that fails (memcached
 * down) only costs speed: the request is verified as if nothing was
 * cached, and one log line per ten seconds and process says so.
 *
 * The main server has one cache; a virtual host with an AlbMtlsCache of
 * its own has its own (another provider, size or server), and every other
 * virtual host uses the main server's.  A provider is looked up and created
 * while the configuration is read, initialised in post_config (with a
 * global mutex when the provider is not safe across processes, as mod_ssl
 * does for its session cache; one mutex instance per cache), and the mutex
 * re-opened in child_init.  In-process caches are made in child_init, so
 * each child (and each generation after a graceful restart) starts empty.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "ap_provider.h"
#include "ap_socache.h"
#include "mod_status.h"
#include "apr_optional_hooks.h"
#include "util_mutex.h"
#include "apr_atomic.h"
#include "apr_global_mutex.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_cache.h"
#include "mod_alb_mtls_config.h"
#include "mod_alb_mtls_counters.h"
#include "amt_error.h"
#include "amt_intermediates.h"

#define CACHE_MUTEX_TYPE      "alb-mtls-cache"
/* entries bound of the in-process cache: one per this many bytes */
#define BYTES_PER_ENTRY       512
#define LOG_INTERVAL          10
/* parsed intermediates kept per child (amt_intermediates.h) */
#define INTERMEDIATES_MAX         64

/* one cache: the main server's, or a virtual host's own */
struct amt_cache_conf {
    amt_cache_kind_e kind;
    apr_size_t bytes;                   /* AMT_CACHE_PROCESS */
    const char *spec;                   /* as configured, for logs */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    apr_global_mutex_t *mutex;          /* providers not safe across procs */
    server_rec *server;                 /* that initialised the provider */
    int ready;                          /* socache initialised */
    amt_lru_t *lru;         /* AMT_CACHE_PROCESS, per child */
};
typedef struct amt_cache_conf cache_conf_t;

/* per configuration cycle (reset in pre_config): the main server's cache,
 * and every distinct cache in use (post_config) */
static cache_conf_t main_cache;
static apr_array_header_t *all_caches;
static volatile apr_uint32_t last_log;  /* rate limit of error lines */

static cache_conf_t *cache_of(const server_rec *s)
{
    const amt_srv_conf *sc = ap_get_module_config(s->module_config,
                                                  &alb_mtls_module);
    return sc->cache != NULL ? sc->cache : &main_cache;
}

const char *amt_cache_configure(cmd_parms *cmd, const char *arg,
                                const amt_cache_spec_t *spec)
{
    cache_conf_t *rc = &main_cache;
    const char *err;

    if (cmd->server->is_virtual) {
        amt_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                                &alb_mtls_module);
        if (sc->cache == NULL) {
            sc->cache = apr_pcalloc(cmd->pool, sizeof(cache_conf_t));
        }
        rc = sc->cache;
    }
    memset(rc, 0, sizeof(*rc));
    rc->spec = arg;
    rc->kind = spec->kind;
    rc->bytes = spec->bytes;
    if (spec->kind != AMT_CACHE_SOCACHE) return NULL;
    rc->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP,
                                      spec->provider,
                                      AP_SOCACHE_PROVIDER_VERSION);
    if (rc->provider == NULL) {
        return apr_psprintf(cmd->pool, "'%s' is not none, process or a "
                            "loaded mod_socache provider (load "
                            "mod_socache_%s?)", arg, spec->provider);
    }
    err = rc->provider->create(&rc->instance, spec->args, cmd->temp_pool,
                               cmd->pool);
    if (err != NULL) return apr_psprintf(cmd->pool, "%s: %s", arg, err);
    return NULL;
}

/* effective AlbMtlsCacheTimeout of s (0: do not cache) */
static int cache_timeout(const server_rec *s)
{
    const amt_srv_conf *sc = ap_get_module_config(s->module_config,
                                                  &alb_mtls_module);
    return sc->cache_timeout == AMT_UNSET ? AMT_DEFAULT_CACHE_TIMEOUT
                                          : sc->cache_timeout;
}

/* a cache is configured (not none) and running */
static int cache_enabled(const server_rec *s)
{
    const cache_conf_t *rc = cache_of(s);

    switch (rc->kind) {
    case AMT_CACHE_PROCESS: return rc->lru != NULL;
    case AMT_CACHE_SOCACHE: return rc->ready;
    default:            return 0;
    }
}

/* one error line per LOG_INTERVAL seconds and process */
static int may_log(void)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last = apr_atomic_read32(&last_log);

    if (last != 0 && now - last < LOG_INTERVAL) return 0;
    return apr_atomic_cas32(&last_log, now, last) == last;
}

static void lock(request_rec *r, cache_conf_t *rc)
{
    apr_status_t rv;

    if (rc->mutex && (rv = apr_global_mutex_lock(rc->mutex)) != APR_SUCCESS
        && may_log()) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r, AMTLOGNO(00400)
                      "cannot lock the AlbMtlsCache mutex");
    }
}

static void unlock(cache_conf_t *rc)
{
    if (rc->mutex) apr_global_mutex_unlock(rc->mutex);
}

/* the in-process store's key of slot: its exact bytes */
static void lru_key(amt_lru_key_t *k, const amt_cache_slot_t *slot)
{
    k->head = slot->prefix;
    k->head_len = slot->prefix_len;
    k->tail = slot->value;
    k->tail_len = slot->value_len;
}

/* the valid entry stored under slot's key, or NULL (miss, stale, refused,
 * unreachable cache); counts hits and misses */
static amt_entry_t *cache_get(request_rec *r, const amt_cache_slot_t *slot)
{
    cache_conf_t *rc = cache_of(r->server);
    time_t now = (time_t)apr_time_sec(apr_time_now());
    unsigned char *buf = NULL;
    apr_size_t len = 0;
    amt_entry_t *e;
    const char *why;
    apr_status_t rv;

    if (rc->kind == AMT_CACHE_PROCESS) {
        amt_lru_key_t k;
        lru_key(&k, slot);
        rv = amt_lru_get(rc->lru, &k, now, r->pool, &buf, &len);
    }
    else {
        unsigned int ulen = AMT_ENTRY_MAX;
        buf = apr_palloc(r->pool, AMT_ENTRY_MAX);
        lock(r, rc);
        rv = rc->provider->retrieve(rc->instance, r->server, slot->key,
                                    AMT_ENTRY_KEY_LEN, buf, &ulen, r->pool);
        unlock(rc);
        len = ulen;
        if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
            amt_count(AMT_C_ERRORS);
            if (may_log()) {
                ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r,
                              AMTLOGNO(00401) "AlbMtlsCache %s: lookup "
                              "failed; verifying without the cache",
                              rc->spec);
            }
        }
    }
    if (rv != APR_SUCCESS) {
        amt_count(AMT_C_MISSES);
        return NULL;
    }
    rv = rc->kind == AMT_CACHE_PROCESS
         ? amt_entry_decode_own(&e, r->pool, slot->key, buf, len, &why)
         : amt_entry_decode(&e, r->pool, slot->key, buf, len, &why);
    if (rv != APR_SUCCESS) {
        amt_count(AMT_C_REFUSED);
        amt_count(AMT_C_MISSES);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00402)
                      "AlbMtlsCache %s: refused a stored entry (%s); "
                      "verifying again", rc->spec, why);
        return NULL;
    }
    if (e->expires <= now) {
        amt_count(AMT_C_MISSES);
        return NULL;
    }
    amt_count(AMT_C_HITS);
    return e;
}

/* stores e under slot's key (failures and errors are logged, never
 * fatal) */
static void cache_put(request_rec *r, const amt_cache_slot_t *slot,
                      const amt_entry_t *e)
{
    cache_conf_t *rc = cache_of(r->server);
    time_t now = (time_t)apr_time_sec(apr_time_now());
    unsigned char *buf;
    apr_size_t len;
    apr_status_t rv;

    if (e->expires <= now) return;
    rv = amt_entry_encode(&buf, &len, r->pool, e);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r, AMTLOGNO(00403)
                      "verification result too large to cache");
        return;
    }
    if (rc->kind == AMT_CACHE_PROCESS) {
        amt_lru_key_t k;
        lru_key(&k, slot);
        rv = amt_lru_put(rc->lru, &k, e->expires, now,
                         e->result.outcome == AMT_OUTCOME_FAILED, buf, len);
    }
    else {
        lock(r, rc);
        rv = rc->provider->store(rc->instance, r->server, e->key,
                                 AMT_ENTRY_KEY_LEN,
                                 apr_time_from_sec(e->expires), buf,
                                 (unsigned int)len, r->pool);
        unlock(rc);
        if (rv != APR_SUCCESS) {
            amt_count(AMT_C_ERRORS);
            if (may_log()) {
                ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r,
                              AMTLOGNO(00404) "AlbMtlsCache %s: store "
                              "failed; verifying without the cache",
                              rc->spec);
            }
            return;
        }
    }
    if (rv == APR_SUCCESS) amt_count(AMT_C_STORES);
}

/* the providers' own status, after the counters' table */
static int provider_status(request_rec *r, int flags)
{
    int i;

    for (i = 0; all_caches != NULL && i < all_caches->nelts; i++) {
        cache_conf_t *rc = APR_ARRAY_IDX(all_caches, i, cache_conf_t *);
        if (rc->kind == AMT_CACHE_SOCACHE && rc->ready
            && rc->provider->status != NULL) {
            /* a label, so that several instances (one per virtual host
             * with its own AlbMtlsCache, beside other modules' socache
             * status) can be told apart */
            if (flags & AP_STATUS_SHORT) {
                ap_rprintf(r, "AlbMtlsSocache: %s\n", rc->spec);
            }
            else {
                ap_rprintf(r, "<h3>AlbMtlsCache %s</h3>\n",
                           ap_escape_html(r->pool, rc->spec));
            }
            lock(r, rc);
            rc->provider->status(rc->instance, r, flags);
            unlock(rc);
        }
    }
    return OK;
}

/* ------------------------------------------------------------------ */
/* what the verdict asks                                               */

const amt_entry_t *amt_cache_lookup(request_rec *r, amt_cache_slot_t *slot,
                                    const amt_policy_t *policy,
                                    const char *header, const char *value)
{
    slot->usable = 0;
    if (value == NULL || !cache_enabled(r->server)
        || cache_timeout(r->server) <= 0) {
        return NULL;
    }
    slot->policy = policy;
    slot->value = value;
    slot->value_len = strlen(value);
    if (cache_of(r->server)->kind == AMT_CACHE_PROCESS) {
        /* the store compares these bytes: no digest needed */
        memset(slot->key, 0, sizeof(slot->key));
        slot->prefix_len = amt_entry_key_prefix(slot->prefix, policy, header);
    }
    else if (amt_entry_key(slot->key, policy, header, value,
                           slot->value_len) != APR_SUCCESS) {
        return NULL;
    }
    slot->usable = 1;
    return cache_get(r, slot);
}

void amt_cache_keep(request_rec *r, const amt_cache_slot_t *slot,
                    const amt_client_cert_t *client, int with_certdata)
{
    amt_entry_t *e;
    time_t now, expires;

    if (!slot->usable || client->result.outcome == AMT_OUTCOME_NONE) return;
    now = (time_t)apr_time_sec(apr_time_now());
    expires = amt_entry_expiry(client, now, cache_timeout(r->server),
                               amt_policy_not_after(slot->policy));
    if (amt_entry_make(&e, r->pool, slot->key, client, expires,
                       with_certdata, AMT_LOG_SUBJECT_MAX) == APR_SUCCESS) {
        cache_put(r, slot, e);
    }
}

/* ------------------------------------------------------------------ */
/* hooks                                                               */

static int cache_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    memset(&main_cache, 0, sizeof(main_cache));
    main_cache.kind = AMT_CACHE_PROCESS;
    main_cache.bytes = AMT_CACHE_DEFAULT_BYTES;
    main_cache.spec = "process";
    all_caches = NULL;
    return ap_mutex_register(pconf, CACHE_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT,
                             0) == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

static apr_status_t socache_cleanup(void *data)
{
    cache_conf_t *rc = data;

    if (rc->ready && rc->instance != NULL) {
        rc->provider->destroy(rc->instance, rc->server);
    }
    rc->ready = 0;
    rc->instance = NULL;
    return APR_SUCCESS;
}

/* a provider's mutex and initialisation; n numbers the caches in use */
static int socache_init(cache_conf_t *rc, int n, apr_pool_t *pconf,
                        server_rec *s)
{
    struct ap_socache_hints hints;
    apr_status_t rv;

    if (rc->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&rc->mutex, NULL, CACHE_MUTEX_TYPE,
                                    n == 0 ? NULL
                                           : apr_psprintf(pconf, "%d", n),
                                    s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AMTLOGNO(00060)
                         "AlbMtlsCache %s: cannot create the global mutex",
                         rc->spec);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    memset(&hints, 0, sizeof(hints));
    hints.avg_id_len = AMT_ENTRY_KEY_LEN;
    hints.avg_obj_size = 2048;
    hints.expiry_interval = apr_time_from_sec(30);
    rv = rc->provider->init(rc->instance, "mod_alb_mtls", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AMTLOGNO(00061)
                     "AlbMtlsCache %s: cannot initialise the cache",
                     rc->spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rc->server = s;
    rc->ready = 1;
    apr_pool_cleanup_register(pconf, rc, socache_cleanup,
                              apr_pool_cleanup_null);
    return OK;
}

static int cache_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    server_rec *vs;
    int i, rv;

    (void)plog;
    (void)ptemp;
    all_caches = apr_array_make(pconf, 2, sizeof(cache_conf_t *));
    for (vs = s; vs != NULL; vs = vs->next) {
        cache_conf_t *rc = cache_of(vs);
        for (i = 0; i < all_caches->nelts; i++) {
            if (APR_ARRAY_IDX(all_caches, i, cache_conf_t *) == rc) break;
        }
        if (i < all_caches->nelts) continue;
        APR_ARRAY_PUSH(all_caches, cache_conf_t *) = rc;
        if (rc->kind == AMT_CACHE_SOCACHE
            && (rv = socache_init(rc, i, pconf, vs)) != OK) {
            return rv;
        }
    }
    return OK;
}

static void cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    amt_intermediates_t *cc;
    apr_status_t rv;
    int i;

    /* a miss under a known intermediate parses only the leaf */
    if (amt_intermediates_make(&cc, pchild, INTERMEDIATES_MAX)
        == APR_SUCCESS) {
        amt_chain_set_intermediates(cc);
    }

    for (i = 0; all_caches != NULL && i < all_caches->nelts; i++) {
        cache_conf_t *rc = APR_ARRAY_IDX(all_caches, i, cache_conf_t *);
        if (rc->kind == AMT_CACHE_PROCESS) {
            rv = amt_lru_make(&rc->lru, pchild,
                                rc->bytes / BYTES_PER_ENTRY, rc->bytes,
                                amt_counters_lru_stats());
            if (rv != APR_SUCCESS) {
                rc->lru = NULL;
                ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, AMTLOGNO(00062)
                             "cannot create the in-process AlbMtlsCache; "
                             "verifying every request");
            }
        }
        else if (rc->kind == AMT_CACHE_SOCACHE && rc->mutex != NULL) {
            rv = apr_global_mutex_child_init(&rc->mutex,
                                             apr_global_mutex_lockfile(rc->mutex),
                                             pchild);
            if (rv != APR_SUCCESS) {
                ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, AMTLOGNO(00063)
                             "AlbMtlsCache %s: cannot open the global mutex "
                             "in the child; cache disabled", rc->spec);
                rc->ready = 0;
            }
        }
    }
}

void amt_cache_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(cache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cache_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(cache_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, provider_status, NULL, NULL,
                      APR_HOOK_MIDDLE + 1);
}

/* ------------------------------------------------------------------ */
/* records of other kinds (OCSP answers)                               */

int amt_cache_record_timeout(request_rec *r)
{
    return cache_enabled(r->server) ? cache_timeout(r->server) : 0;
}

apr_status_t amt_cache_record_get(request_rec *r, const unsigned char key[32],
                                  unsigned char *buf, apr_size_t *len)
{
    cache_conf_t *rc = cache_of(r->server);
    time_t now = (time_t)apr_time_sec(apr_time_now());
    unsigned char *got = NULL;
    apr_size_t got_len = 0;
    apr_status_t rv;

    if (amt_cache_record_timeout(r) <= 0) return APR_NOTFOUND;
    if (rc->kind == AMT_CACHE_PROCESS) {
        /* 32 bytes: never the bytes of an entry's key, which are longer */
        amt_lru_key_t k = { key, 32, NULL, 0 };
        rv = amt_lru_get(rc->lru, &k, now, r->pool, &got, &got_len);
    }
    else {
        unsigned int ulen = (unsigned int)*len;
        got = apr_palloc(r->pool, *len);
        lock(r, rc);
        rv = rc->provider->retrieve(rc->instance, r->server, key, 32, got,
                                    &ulen, r->pool);
        unlock(rc);
        got_len = ulen;
    }
    if (rv != APR_SUCCESS || got_len > *len) return APR_NOTFOUND;
    memcpy(buf, got, got_len);
    *len = got_len;
    return APR_SUCCESS;
}

void amt_cache_record_put(request_rec *r, const unsigned char key[32],
                          time_t expires, const unsigned char *buf,
                          apr_size_t len)
{
    cache_conf_t *rc = cache_of(r->server);
    time_t now = (time_t)apr_time_sec(apr_time_now());
    int timeout = amt_cache_record_timeout(r);

    if (timeout <= 0) return;
    if (expires > now + timeout) expires = now + timeout;
    if (expires <= now) return;
    if (rc->kind == AMT_CACHE_PROCESS) {
        amt_lru_key_t k = { key, 32, NULL, 0 };
        (void)amt_lru_put(rc->lru, &k, expires, now, 0, buf, len);
    }
    else {
        lock(r, rc);
        (void)rc->provider->store(rc->instance, r->server, key, 32,
                                  apr_time_from_sec(expires),
                                  (unsigned char *)buf, (unsigned int)len,
                                  r->pool);
        unlock(rc);
    }
}
