/*
 * amt_inspect.h - what the unit tests and the benchmark look at inside the
 * core: counts, sizes and names that no glue file needs.  The glue includes
 * only the other headers of src/.
 */
#ifndef AMT_INSPECT_H
#define AMT_INSPECT_H

#include <apr_pools.h>
#include "amt_crl.h"
#include "amt_intermediates.h"
#include "amt_lru.h"
#include "amt_trust.h"

/* amt_trust.h */
/** Number of certificates loaded from files (directories not counted). */
int amt_trust_count(const amt_trust_t *trust);

/* amt_crl.h */
/** "none", "leaf" or "chain" */
const char *amt_crl_check_name(amt_crl_check_e mode);

/* amt_lru.h */
/** Removes everything. */
void amt_lru_clear(amt_lru_t *c);

/** Current number of entries and bytes of this store. */
void amt_lru_size(amt_lru_t *c, apr_size_t *entries, apr_size_t *bytes);

/** bytes an entry of n key and data bytes counts for */
apr_size_t amt_lru_entry_cost(apr_size_t n);

/* amt_intermediates.h */
/** Number of certificates held; lookups that found one. */
void amt_intermediates_stats(amt_intermediates_t *cc, int *count,
                             unsigned long *hits);

#endif
