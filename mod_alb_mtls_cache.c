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
 * is not exactly an entry for the key asked.  A cache that fails (memcached
 * down) only costs speed: the request is verified as if nothing was
 * cached, and one log line per ten seconds and process says so.
 *
 * The provider is looked up and created while the configuration is read,
 * initialised in post_config (with a global mutex when the provider is not
 * safe across processes, as mod_ssl does for its session cache), and the
 * mutex re-opened in child_init.  The in-process cache is made in
 * child_init, so each child (and each generation after a graceful restart)
 * starts empty.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "ap_provider.h"
#include "ap_socache.h"
#include "util_mutex.h"
#include "apr_atomic.h"
#include "apr_global_mutex.h"
#include "apr_strings.h"

#include "mod_alb_mtls_private.h"
#include "amt_status.h"
#include "amt_certcache.h"

#define CACHE_MUTEX_TYPE      "alb-mtls-cache"
#define DEFAULT_PROCESS_BYTES (2 * 1024 * 1024)
#define MIN_PROCESS_BYTES     (16 * 1024)
#define MAX_PROCESS_BYTES     ((apr_size_t)1 << 31)
/* entries bound of the in-process cache: one per this many bytes */
#define BYTES_PER_ENTRY       512
#define LOG_INTERVAL          10
/* parsed intermediates kept per child (amt_certcache.h) */
#define CERTCACHE_MAX         64

typedef enum { CACHE_PROCESS = 0, CACHE_NONE, CACHE_SOCACHE } cache_kind_e;

/* one per configuration cycle (reset in pre_config) */
static struct {
    cache_kind_e kind;
    apr_size_t bytes;                   /* CACHE_PROCESS */
    const char *spec;                   /* as configured, for logs */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    apr_global_mutex_t *mutex;          /* providers not safe across procs */
    int ready;                          /* socache initialised */
} conf;

static amt_cache_t *process_cache;      /* per child */
static volatile apr_uint32_t last_log;  /* rate limit of error lines */

static const char *cmd_fail(cmd_parms *cmd, const char *msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

const char *amt_cmd_cache(cmd_parms *cmd, void *mconfig, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *name, *args, *colon;

    (void)mconfig;
    if (err != NULL) return err;
    conf.spec = arg;
    conf.provider = NULL;
    conf.instance = NULL;
    if (strcasecmp(arg, "none") == 0) {
        conf.kind = CACHE_NONE;
        return NULL;
    }
    colon = strchr(arg, ':');
    name = colon ? apr_pstrmemdup(cmd->pool, arg, (apr_size_t)(colon - arg))
                 : arg;
    args = colon ? colon + 1 : NULL;
    if (strcasecmp(name, "process") == 0) {
        apr_int64_t bytes = DEFAULT_PROCESS_BYTES;
        char *end = NULL;
        if (args != NULL) {
            bytes = apr_strtoi64(args, &end, 10);
            if (*args == '\0' || end == NULL || *end != '\0'
                || bytes < MIN_PROCESS_BYTES
                || (apr_uint64_t)bytes > MAX_PROCESS_BYTES) {
                return cmd_fail(cmd, apr_psprintf(cmd->pool,
                    "'process:%s': the size must be a number of bytes from "
                    "%d to %" APR_SIZE_T_FMT, args, MIN_PROCESS_BYTES,
                    MAX_PROCESS_BYTES));
            }
        }
        conf.kind = CACHE_PROCESS;
        conf.bytes = (apr_size_t)bytes;
        return NULL;
    }
    conf.provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                       AP_SOCACHE_PROVIDER_VERSION);
    if (conf.provider == NULL) {
        return cmd_fail(cmd, apr_psprintf(cmd->pool,
            "'%s' is not none, process or a loaded mod_socache provider "
            "(load mod_socache_%s?)", arg, name));
    }
    err = conf.provider->create(&conf.instance, args, cmd->temp_pool,
                                cmd->pool);
    if (err != NULL) {
        return cmd_fail(cmd, apr_psprintf(cmd->pool, "%s: %s", arg, err));
    }
    conf.kind = CACHE_SOCACHE;
    return NULL;
}

const char *amt_cmd_cache_timeout(cmd_parms *cmd, void *mconfig,
                                  const char *arg)
{
    amt_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                            &alb_mtls_module);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    (void)mconfig;
    if (err != NULL) return err;
    if (amt_parse_int(&sc->cache_timeout, cmd->pool, arg, 0,
                      AMT_MAX_CACHE_TIMEOUT, &err) != APR_SUCCESS) {
        return cmd_fail(cmd, err);
    }
    return NULL;
}

int amt_results_timeout(const server_rec *s)
{
    const amt_srv_conf *sc = ap_get_module_config(s->module_config,
                                                  &alb_mtls_module);
    return sc->cache_timeout == AMT_UNSET ? AMT_DEFAULT_CACHE_TIMEOUT
                                          : sc->cache_timeout;
}

int amt_results_enabled(void)
{
    switch (conf.kind) {
    case CACHE_PROCESS: return process_cache != NULL;
    case CACHE_SOCACHE: return conf.ready;
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

static void lock(request_rec *r)
{
    apr_status_t rv;

    if (conf.mutex && (rv = apr_global_mutex_lock(conf.mutex)) != APR_SUCCESS
        && may_log()) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r, AMTLOGNO(00400)
                      "cannot lock the AlbMtlsCache mutex");
    }
}

static void unlock(void)
{
    if (conf.mutex) apr_global_mutex_unlock(conf.mutex);
}

amt_entry_t *amt_results_get(request_rec *r,
                             const unsigned char key[AMT_CACHE_KEY_LEN])
{
    time_t now = (time_t)apr_time_sec(apr_time_now());
    unsigned char *buf = NULL;
    apr_size_t len = 0;
    amt_entry_t *e;
    const char *why;
    apr_status_t rv;

    if (conf.kind == CACHE_PROCESS) {
        rv = amt_cache_get(process_cache, key, now, r->pool, &buf, &len);
    }
    else {
        unsigned int ulen = AMT_ENTRY_MAX;
        buf = apr_palloc(r->pool, AMT_ENTRY_MAX);
        lock(r);
        rv = conf.provider->retrieve(conf.instance, r->server, key,
                                     AMT_CACHE_KEY_LEN, buf, &ulen, r->pool);
        unlock();
        len = ulen;
        if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
            amt_count(AMT_C_ERRORS);
            if (may_log()) {
                ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r,
                              AMTLOGNO(00401) "AlbMtlsCache %s: lookup "
                              "failed; verifying without the cache",
                              conf.spec);
            }
        }
    }
    if (rv != APR_SUCCESS) {
        amt_count(AMT_C_MISSES);
        return NULL;
    }
    if (amt_entry_decode(&e, r->pool, key, buf, len, &why) != APR_SUCCESS) {
        amt_count(AMT_C_REFUSED);
        amt_count(AMT_C_MISSES);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, AMTLOGNO(00402)
                      "AlbMtlsCache %s: refused a stored entry (%s); "
                      "verifying again", conf.spec, why);
        return NULL;
    }
    if (e->expires <= now) {
        amt_count(AMT_C_MISSES);
        return NULL;
    }
    amt_count(AMT_C_HITS);
    return e;
}

void amt_results_put(request_rec *r, const amt_entry_t *e)
{
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
    if (conf.kind == CACHE_PROCESS) {
        rv = amt_cache_put(process_cache, e->key, e->expires, now,
                           e->result.outcome == AMT_OUTCOME_FAILED, buf, len);
    }
    else {
        lock(r);
        rv = conf.provider->store(conf.instance, r->server, e->key,
                                  AMT_CACHE_KEY_LEN,
                                  apr_time_from_sec(e->expires), buf,
                                  (unsigned int)len, r->pool);
        unlock();
        if (rv != APR_SUCCESS) {
            amt_count(AMT_C_ERRORS);
            if (may_log()) {
                ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r,
                              AMTLOGNO(00404) "AlbMtlsCache %s: store "
                              "failed; verifying without the cache",
                              conf.spec);
            }
            return;
        }
    }
    if (rv == APR_SUCCESS) amt_count(AMT_C_STORES);
}

static void provider_status(request_rec *r, int flags)
{
    if (conf.kind == CACHE_SOCACHE && conf.ready
        && conf.provider->status != NULL) {
        lock(r);
        conf.provider->status(conf.instance, r, flags);
        unlock();
    }
}

/* ------------------------------------------------------------------ */
/* hooks                                                               */

static int cache_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    memset(&conf, 0, sizeof(conf));
    conf.kind = CACHE_PROCESS;
    conf.bytes = DEFAULT_PROCESS_BYTES;
    conf.spec = "process";
    process_cache = NULL;
    return ap_mutex_register(pconf, CACHE_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT,
                             0) == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

static apr_status_t socache_cleanup(void *data)
{
    server_rec *s = data;

    if (conf.ready && conf.instance != NULL) {
        conf.provider->destroy(conf.instance, s);
    }
    conf.ready = 0;
    conf.instance = NULL;
    return APR_SUCCESS;
}

static int cache_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    struct ap_socache_hints hints;
    apr_status_t rv;

    (void)plog;
    (void)ptemp;
    if (amt_status_init(pconf, s) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    amt_status_set_provider_hook(provider_status);
    if (conf.kind != CACHE_SOCACHE) return OK;

    if (conf.provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&conf.mutex, NULL, CACHE_MUTEX_TYPE,
                                    NULL, s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AMTLOGNO(00060)
                         "AlbMtlsCache %s: cannot create the global mutex",
                         conf.spec);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    memset(&hints, 0, sizeof(hints));
    hints.avg_id_len = AMT_CACHE_KEY_LEN;
    hints.avg_obj_size = 2048;
    hints.expiry_interval = apr_time_from_sec(30);
    rv = conf.provider->init(conf.instance, "mod_alb_mtls", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AMTLOGNO(00061)
                     "AlbMtlsCache %s: cannot initialise the cache",
                     conf.spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    conf.ready = 1;
    apr_pool_cleanup_register(pconf, s, socache_cleanup,
                              apr_pool_cleanup_null);
    return OK;
}

static void cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    amt_certcache_t *cc;
    apr_status_t rv;

    /* a miss under a known intermediate parses only the leaf */
    if (amt_certcache_make(&cc, pchild, CERTCACHE_MAX) == APR_SUCCESS) {
        amt_chain_set_certcache(cc);
    }

    if (conf.kind == CACHE_PROCESS) {
        rv = amt_cache_make(&process_cache, pchild, conf.bytes / BYTES_PER_ENTRY,
                            conf.bytes, amt_status_cache_stats());
        if (rv != APR_SUCCESS) {
            process_cache = NULL;
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, AMTLOGNO(00062)
                         "cannot create the in-process AlbMtlsCache; "
                         "verifying every request");
        }
    }
    else if (conf.kind == CACHE_SOCACHE && conf.mutex != NULL) {
        rv = apr_global_mutex_child_init(&conf.mutex,
                                         apr_global_mutex_lockfile(conf.mutex),
                                         pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, AMTLOGNO(00063)
                         "AlbMtlsCache %s: cannot open the global mutex in "
                         "the child; cache disabled", conf.spec);
            conf.ready = 0;
        }
    }
}

void amt_cache_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(cache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cache_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(cache_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}
