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

#include "mod_alb_mtls_private.h"

typedef struct {
    volatile apr_uint64_t c[AMT_C_COUNT];
    amt_lru_stats_t cache;
} counters_t;

static counters_t *counters;
static void (*provider_status)(request_rec *r, int flags);

static const char *const names[AMT_C_COUNT] = {
    "Verified", "NoCertificate",
    "FailedMalformed", "FailedUntrusted", "FailedExpired",
    "FailedNotYetValid", "FailedRevoked", "FailedChainTooLong", "FailedOther",
    "CacheHits", "CacheMisses", "CacheStores", "CacheRefused", "CacheErrors"
};

static const char *const descriptions[AMT_C_COUNT] = {
    "verified (SUCCESS or GENEROUS)", "no certificate sent",
    "failed: header did not decode or parse", "failed: no trusted issuer",
    "failed: certificate expired", "failed: certificate not yet valid",
    "failed: certificate revoked", "failed: chain too long",
    "failed: other reason",
    "cache hits", "cache misses", "results stored",
    "stored entries refused as invalid", "cache errors (lookups or stores)"
};

apr_status_t amt_counters_init(apr_pool_t *pconf, server_rec *s)
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
    return &get()->cache;
}

void amt_count(amt_counter_e which)
{
    if (which < AMT_C_COUNT) apr_atomic_inc64(&get()->c[which]);
}

void amt_count_verdict(const amt_result_t *res)
{
    amt_counter_e c;

    switch (res->outcome) {
    case AMT_OUTCOME_SUCCESS:
    case AMT_OUTCOME_GENEROUS: c = AMT_C_VERIFIED; break;
    case AMT_OUTCOME_NONE:     c = AMT_C_NOCERT; break;
    default:
        switch (res->x509_error) {
        case 0:  c = AMT_C_FAIL_MALFORMED; break;
        case 2:  /* unable to get issuer certificate */
        case 18: case 19: case 20: case 21: case 27:
                 c = AMT_C_FAIL_UNTRUSTED; break;
        case 9:  c = AMT_C_FAIL_NOTYET; break;
        case 10: c = AMT_C_FAIL_EXPIRED; break;
        case 23: c = AMT_C_FAIL_REVOKED; break;
        case 22: c = AMT_C_FAIL_CHAIN; break;
        default: c = AMT_C_FAIL_OTHER; break;
        }
    }
    amt_count(c);
}

void amt_counters_set_provider_hook(void (*fn)(request_rec *r, int flags))
{
    provider_status = fn;
}

static int status_hook(request_rec *r, int flags)
{
    counters_t *k = get();
    apr_uint64_t cache[4];
    static const char *const cache_names[4] = {
        "CacheEntries", "CacheBytes", "CacheEvictions", "CacheExpired"
    };
    static const char *const cache_desc[4] = {
        "entries in the in-process caches (all children)",
        "bytes in the in-process caches (all children)",
        "entries evicted to make room", "entries found expired"
    };
    int i;

    cache[0] = apr_atomic_read64(&k->cache.entries);
    cache[1] = apr_atomic_read64(&k->cache.bytes);
    cache[2] = apr_atomic_read64(&k->cache.evictions);
    cache[3] = apr_atomic_read64(&k->cache.expirations);

    if (flags & AP_STATUS_SHORT) {
        for (i = 0; i < AMT_C_COUNT; i++) {
            ap_rprintf(r, "AlbMtls%s: %" APR_UINT64_T_FMT "\n", names[i],
                       apr_atomic_read64(&k->c[i]));
        }
        for (i = 0; i < 4; i++) {
            ap_rprintf(r, "AlbMtls%s: %" APR_UINT64_T_FMT "\n",
                       cache_names[i], cache[i]);
        }
    }
    else {
        ap_rputs("<hr>\n<h2>mod_alb_mtls (all children of this "
                 "generation)</h2>\n<table border=\"0\">\n", r);
        for (i = 0; i < AMT_C_COUNT; i++) {
            ap_rprintf(r, "<tr><td>%s</td><td>%" APR_UINT64_T_FMT
                       "</td><td>%s</td></tr>\n", names[i],
                       apr_atomic_read64(&k->c[i]), descriptions[i]);
        }
        for (i = 0; i < 4; i++) {
            ap_rprintf(r, "<tr><td>%s</td><td>%" APR_UINT64_T_FMT
                       "</td><td>%s</td></tr>\n", cache_names[i], cache[i],
                       cache_desc[i]);
        }
        ap_rputs("</table>\n", r);
    }
    if (provider_status != NULL) provider_status(r, flags);
    return OK;
}

void amt_counters_register_hooks(apr_pool_t *p)
{
    (void)p;
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
