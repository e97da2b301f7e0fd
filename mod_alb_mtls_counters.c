/*
 * mod_alb_mtls_counters.c - counters of verdicts and of the result cache,
 * shown by mod_status (server-status and server-status?auto).
 *
 * The counters live in one anonymous shared memory segment made in
 * post_config, so every child of a generation adds to the same numbers and
 * the page shows the sum over all children, whichever child serves it.
 * They start at zero with each configuration cycle (restart or graceful).
 * Updates are atomic (apr_atomic_*64), so threads and processes need no
 * lock.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "mod_status.h"
#include "apr_atomic.h"
#include "apr_optional_hooks.h"
#include "apr_shm.h"
#include "apr_strings.h"

#include "mod_alb_mtls.h"
#include "mod_alb_mtls_counters.h"

typedef struct {
    volatile apr_uint64_t c[AMT_C_COUNT];
    amt_lru_stats_t lru;
} counters_t;

static counters_t *counters;

/* the counters that are not one per failure class (those take their names
 * from the core: "Failed" + amt_failure_name()) */
static const struct {
    amt_counter_e which;
    const char *name;
    const char *description;
} fixed[] = {
    { AMT_C_VERIFIED, "Verified",      "verified (SUCCESS or GENEROUS)" },
    { AMT_C_NOCERT,   "NoCertificate", "no certificate sent" },
    { AMT_C_HITS,     "CacheHits",     "cache hits" },
    { AMT_C_MISSES,   "CacheMisses",   "cache misses" },
    { AMT_C_STORES,   "CacheStores",   "results stored" },
    { AMT_C_REFUSED,  "CacheRefused",  "stored entries refused as invalid" },
    { AMT_C_ERRORS,   "CacheErrors",   "cache errors (lookups or stores)" },
};

static apr_status_t counters_make(apr_pool_t *pconf, server_rec *s)
{
    apr_shm_t *shm;
    apr_status_t rv = apr_shm_create(&shm, sizeof(counters_t), NULL, pconf);

    if (rv == APR_SUCCESS) {
        counters = apr_shm_baseaddr_get(shm);
        memset(counters, 0, sizeof(*counters));
        return APR_SUCCESS;
    }
    ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, AMTLOGNO(00064)
                 "cannot create shared memory for the mod_status counters; "
                 "they count per child");
    counters = apr_pcalloc(pconf, sizeof(*counters));
    return APR_SUCCESS;
}

/* before post_config (or when it failed): counters of this process only */
static counters_t *get(void)
{
    static counters_t fallback;
    return counters ? counters : &fallback;
}

amt_lru_stats_t *amt_counters_lru_stats(void)
{
    return &get()->lru;
}

void amt_count(amt_counter_e which)
{
    if (which < AMT_C_COUNT) apr_atomic_inc64(&get()->c[which]);
}

void amt_count_result(const amt_result_t *res)
{
    switch (res->outcome) {
    case AMT_OUTCOME_SUCCESS:
    case AMT_OUTCOME_GENEROUS:
        amt_count(AMT_C_VERIFIED);
        break;
    case AMT_OUTCOME_NONE:
        amt_count(AMT_C_NOCERT);
        break;
    case AMT_OUTCOME_FAILED:
        amt_count(AMT_C_FAILED(res->failure != AMT_FAIL_NONE
                               ? res->failure : AMT_FAIL_OTHER));
        break;
    }
}

/* one row: name, value, description */
static void row(request_rec *r, int flags, const char *name,
                apr_uint64_t value, const char *description)
{
    if (flags & AP_STATUS_SHORT) {
        ap_rprintf(r, "AlbMtls%s: %" APR_UINT64_T_FMT "\n", name, value);
    }
    else {
        ap_rprintf(r, "<tr><td>%s</td><td>%" APR_UINT64_T_FMT
                   "</td><td>%s</td></tr>\n", name, value, description);
    }
}

static int status_hook(request_rec *r, int flags)
{
    counters_t *k = get();
    apr_size_t i;
    int f;

    if (!(flags & AP_STATUS_SHORT)) {
        ap_rputs("<hr>\n<h2>mod_alb_mtls (all children of this "
                 "generation)</h2>\n<table border=\"0\">\n", r);
    }
    for (i = 0; i < 2; i++) {           /* Verified, NoCertificate */
        row(r, flags, fixed[i].name, apr_atomic_read64(&k->c[fixed[i].which]),
            fixed[i].description);
    }
    for (f = AMT_FAIL_NONE + 1; f < AMT_FAIL_COUNT; f++) {
        row(r, flags, apr_pstrcat(r->pool, "Failed", amt_failure_name(f),
                                  NULL),
            apr_atomic_read64(&k->c[AMT_C_FAILED(f)]),
            apr_pstrcat(r->pool, "failed: ", amt_failure_description(f),
                        NULL));
    }
    for (i = 2; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        row(r, flags, fixed[i].name, apr_atomic_read64(&k->c[fixed[i].which]),
            fixed[i].description);
    }
    row(r, flags, "CacheEntries", apr_atomic_read64(&k->lru.entries),
        "entries in the in-process caches (all children)");
    row(r, flags, "CacheBytes", apr_atomic_read64(&k->lru.bytes),
        "bytes in the in-process caches (all children)");
    row(r, flags, "CacheEvictions", apr_atomic_read64(&k->lru.evictions),
        "entries evicted to make room");
    row(r, flags, "CacheExpired", apr_atomic_read64(&k->lru.expirations),
        "entries found expired");
    if (!(flags & AP_STATUS_SHORT)) ap_rputs("</table>\n", r);
    return OK;
}

/* The counters start at zero with each configuration cycle. */
static int counters_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    (void)ptemp;
    return counters_make(pconf, s) == APR_SUCCESS ? OK
                                                  : HTTP_INTERNAL_SERVER_ERROR;
}

void amt_counters_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(counters_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* before the cache providers' own status (mod_alb_mtls_cache.c) */
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
