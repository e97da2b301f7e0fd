/*
 * mod_alb_mtls_counters.h - counters of verdicts and of the result cache,
 * shown by mod_status.  They are told about results; nothing reads them
 * back.
 */
#ifndef MOD_ALB_MTLS_COUNTERS_H
#define MOD_ALB_MTLS_COUNTERS_H

#include "httpd.h"

#include "amt_lru.h"
#include "amt_verify.h"

/* the counters: verdicts by outcome and failure class, then the cache's */
typedef enum {
    AMT_C_VERIFIED = 0, AMT_C_NOCERT,
    AMT_C_FAILED_FIRST,             /* one per failure class, AMT_C_FAILED() */
    AMT_C_HITS = AMT_C_FAILED_FIRST + AMT_FAIL_COUNT - 1,
    AMT_C_MISSES, AMT_C_STORES, AMT_C_REFUSED, AMT_C_ERRORS,
    AMT_C_COUNT
} amt_counter_e;
/** the counter of failure class f (amt_failure_e, not AMT_FAIL_NONE) */
#define AMT_C_FAILED(f) ((amt_counter_e)(AMT_C_FAILED_FIRST + (f) - 1))

/** Registers post_config (the counters, zero each configuration cycle) and
 *  the mod_status hook. */
void amt_counters_register_hooks(apr_pool_t *p);
void amt_count(amt_counter_e which);
/** Counts one verdict by its outcome and failure class. */
void amt_count_result(const amt_result_t *res);
/** Where the in-process caches keep their counters (summed over children). */
amt_lru_stats_t *amt_counters_lru_stats(void);

#endif
