/*
 * amt_lru.h - the bounded in-process store of serialised verification
 * results (amt_entry.h), keyed by the exact bytes of their key: the entry
 * key's material (amt_entry_key_prefix) and the header value.
 *
 * Being in one process, the store needs no collision-resistant digest of
 * the key: it finds an entry with a fast hash, seeded at random per store,
 * and confirms it by comparing the stored key bytes, so two keys that hash
 * alike are two entries, never one.  A shared cache (mod_socache), whose
 * store cannot be asked to compare, keys by the SHA-256 (amt_entry_key).
 *
 * Bounded in entries and bytes (every byte of an entry counts, with its
 * bookkeeping); failed results may take at most a quarter of either bound,
 * so a flood of distinct bad headers cannot push out the good entries.
 * Least recently used entries go first; an entry is never returned at or
 * after its expiry.  Safe for concurrent use by threads (one APR mutex).
 */
#ifndef AMT_LRU_H
#define AMT_LRU_H

#include <time.h>
#include <apr_pools.h>
#include "amt_compat.h"   /* apr_atomic_*64 on APR 1.6 */
#include "amt_entry.h"

typedef struct amt_lru_t amt_lru_t;

/** A key: the bytes of head followed by those of tail (either may be
 *  empty), compared exactly.  Two parts, so that a caller need not copy a
 *  long header value behind its prefix. */
typedef struct amt_lru_key_t {
    const void *head;
    apr_size_t head_len;
    const void *tail;
    apr_size_t tail_len;
} amt_lru_key_t;

/** Counters, updated with apr_atomic_*64; may live in shared memory and be
 *  shared by several stores (one per process): entries and bytes are
 *  added and subtracted, the others only grow. */
typedef struct amt_lru_stats_t {
    volatile apr_uint64_t entries;
    volatile apr_uint64_t bytes;
    volatile apr_uint64_t evictions;    /* removed to make room */
    volatile apr_uint64_t expirations;  /* found stale */
} amt_lru_stats_t;

/**
 * A store of at most max_entries entries and max_bytes bytes, freed with p.
 * stats may be NULL (then the cache keeps its own).  Call apr_atomic_init()
 * first (httpd does).
 */
apr_status_t amt_lru_make(amt_lru_t **cache, apr_pool_t *p,
                            apr_size_t max_entries, apr_size_t max_bytes,
                            amt_lru_stats_t *stats);

/**
 * Copies the data stored under key into a buffer from p.  APR_NOTFOUND when
 * there is none or it expired (at or before now; it is removed then).
 */
apr_status_t amt_lru_get(amt_lru_t *c, const amt_lru_key_t *key,
                           time_t now, apr_pool_t *p,
                           unsigned char **data, apr_size_t *len);

/**
 * Stores a copy of data and of the key's bytes until expires, replacing what was there,
 * evicting least recently used entries to stay within the bounds.
 * failed: the entry counts against the failed results' share.
 * The key's bytes count against the bounds like the data.
 * APR_ENOSPC when the entry alone exceeds its share; APR_EINVAL when it
 * expired already.
 */
apr_status_t amt_lru_put(amt_lru_t *c, const amt_lru_key_t *key,
                           time_t expires, time_t now, int failed,
                           const unsigned char *data, apr_size_t len);

#endif
