/*
 * test_lru.c - the in-process result store (amt_lru.h): hits, misses,
 * expiry, replacement, LRU eviction, the entry and byte bounds, the share
 * of failed results, shared counters, and concurrent use by threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_atomic.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "amt_lru.h"
#include "tap.h"
#include "amt_inspect.h"

/* a 32-byte key as the store takes it */
#define KEY(k) (&(amt_lru_key_t){ (k), AMT_ENTRY_KEY_LEN, NULL, 0 })

static void mkkey(unsigned char key[AMT_ENTRY_KEY_LEN], unsigned n)
{
    unsigned i;
    /* spread like a hash, but reproducible */
    for (i = 0; i < AMT_ENTRY_KEY_LEN; i++) {
        key[i] = (unsigned char)((n * 2654435761u) >> ((i % 4) * 8)) ^ (unsigned char)i;
    }
    key[AMT_ENTRY_KEY_LEN - 1] = (unsigned char)n;
    key[AMT_ENTRY_KEY_LEN - 2] = (unsigned char)(n >> 8);
}

static int has(amt_lru_t *c, unsigned n, time_t now, apr_pool_t *p)
{
    unsigned char key[AMT_ENTRY_KEY_LEN], *data;
    apr_size_t len;

    mkkey(key, n);
    return amt_lru_get(c, KEY(key), now, p, &data, &len) == APR_SUCCESS;
}

static apr_status_t put(amt_lru_t *c, unsigned n, time_t expires,
                        time_t now, int failed, apr_size_t len)
{
    unsigned char key[AMT_ENTRY_KEY_LEN], data[4096];

    mkkey(key, n);
    memset(data, (int)(n & 0xff), sizeof(data));
    return amt_lru_put(c, KEY(key), expires, now, failed, data, len);
}

static void test_basics(apr_pool_t *p)
{
    amt_lru_t *c;
    amt_lru_stats_t st;
    unsigned char key[AMT_ENTRY_KEY_LEN], *data = NULL;
    apr_size_t len = 0, n, bytes;
    time_t now = 1000000;

    memset(&st, 0, sizeof(st));
    amt_lru_make(&c, p, 100, 1 << 20, &st);
    ok(!has(c, 1, now, p), "empty cache: miss");
    ok(put(c, 1, now + 10, now, 0, 100) == APR_SUCCESS, "put");
    mkkey(key, 1);
    ok(amt_lru_get(c, KEY(key), now, p, &data, &len) == APR_SUCCESS
       && len == 100 && data[0] == 1 && data[99] == 1, "hit returns the data");
    ok(!has(c, 2, now, p), "another key: miss");
    ok(has(c, 1, now + 9, p), "still there one second before expiry");
    ok(!has(c, 1, now + 10, p), "gone at its expiry");
    amt_lru_size(c, &n, &bytes);
    ok(n == 0 && bytes == 0 && st.entries == 0 && st.bytes == 0
       && st.expirations == 1, "expired entry removed and counted");

    put(c, 3, now + 10, now, 0, 100);
    put(c, 3, now + 20, now, 0, 200);
    amt_lru_size(c, &n, &bytes);
    mkkey(key, 3);
    ok(n == 1 && amt_lru_get(c, KEY(key), now + 15, p, &data, &len) == APR_SUCCESS
       && len == 200, "a second put replaces (one entry, new data and expiry)");
    ok(bytes == amt_lru_entry_cost(AMT_ENTRY_KEY_LEN + 200) && st.bytes == bytes,
       "bytes counted with bookkeeping (%" APR_SIZE_T_FMT ")", bytes);
    ok(put(c, 4, now, now, 0, 10) == APR_EINVAL
       && put(c, 4, now - 1, now, 0, 10) == APR_EINVAL,
       "an already expired entry is not stored");
    amt_lru_clear(c);
    amt_lru_size(c, &n, &bytes);
    ok(n == 0 && bytes == 0 && st.entries == 0 && st.bytes == 0,
       "clear empties, counters follow");
}

static void test_bounds(apr_pool_t *p)
{
    amt_lru_t *c;
    amt_lru_stats_t st;
    apr_size_t n, bytes, maxb = 20 * amt_lru_entry_cost(AMT_ENTRY_KEY_LEN + 1000);
    time_t now = 1000;
    unsigned i;
    int within = 1, good = 1;

    memset(&st, 0, sizeof(st));
    amt_lru_make(&c, p, 8, 1 << 20, &st);
    for (i = 0; i < 20; i++) {
        put(c, i, now + 100, now, 0, 50);
        has(c, 0, now, p);              /* keep 0 recently used */
        amt_lru_size(c, &n, &bytes);
        if (n > 8) within = 0;
    }
    ok(within, "never more than 8 entries");
    is_int((long long)st.evictions, 12, "12 evictions for 20 puts into 8");
    ok(has(c, 0, now, p), "the recently used entry survived");
    ok(!has(c, 1, now, p) && !has(c, 10, now, p) && has(c, 19, now, p),
       "least recently used went first");

    memset(&st, 0, sizeof(st));
    amt_lru_make(&c, p, 1000, maxb, &st);
    within = 1;
    for (i = 0; i < 100; i++) {
        put(c, i, now + 100, now, 0, 1000);
        amt_lru_size(c, &n, &bytes);
        if (bytes > maxb) within = 0;
    }
    amt_lru_size(c, &n, &bytes);
    ok(within && n == 20, "byte bound holds (%" APR_SIZE_T_FMT " entries, %"
       APR_SIZE_T_FMT " of %" APR_SIZE_T_FMT " bytes)", n, bytes, maxb);
    ok(put(c, 1000, now + 100, now, 0, 4096) == APR_SUCCESS,
       "an entry within the bound is stored");
    {
        unsigned char big[1];
        unsigned char key[AMT_ENTRY_KEY_LEN];
        mkkey(key, 2000);
        (void)big;
        ok(amt_lru_put(c, KEY(key), now + 100, now, 0, (unsigned char *)"x",
                         maxb) == APR_ENOSPC,
           "an entry larger than the cache is refused");
    }

    /* failed results: at most a quarter; a flood keeps the good ones */
    memset(&st, 0, sizeof(st));
    amt_lru_make(&c, p, 40, 1 << 20, &st);
    for (i = 0; i < 20; i++) put(c, i, now + 100, now, 0, 50);
    for (i = 1000; i < 1500; i++) put(c, i, now + 100, now, 1, 50);
    for (i = 0; i < 20; i++) if (!has(c, i, now, p)) good = 0;
    ok(good, "500 failed results did not push out 20 good ones");
    amt_lru_size(c, &n, &bytes);
    is_int((long long)n, 30, "20 good + 10 failed (a quarter of 40)");
    ok(has(c, 1499, now, p) && !has(c, 1000, now, p),
       "the latest failed results are kept");
}

static void test_shared_stats(apr_pool_t *p)
{
    amt_lru_stats_t st;
    amt_lru_t *a, *b;
    apr_pool_t *pa, *pb;

    memset(&st, 0, sizeof(st));
    apr_pool_create(&pa, p);
    apr_pool_create(&pb, p);
    amt_lru_make(&a, pa, 10, 1 << 20, &st);
    amt_lru_make(&b, pb, 10, 1 << 20, &st);
    put(a, 1, 100, 1, 0, 10);
    put(a, 2, 100, 1, 0, 10);
    put(b, 1, 100, 1, 0, 10);
    is_int((long long)st.entries, 3, "two caches add to one counter");
    apr_pool_destroy(pa);
    is_int((long long)st.entries, 1, "a destroyed cache takes its entries off");
    ok(st.bytes == amt_lru_entry_cost(AMT_ENTRY_KEY_LEN + 10), "and its bytes");
    apr_pool_destroy(pb);
    ok(st.entries == 0 && st.bytes == 0, "all gone");
}

/* Keys are their exact bytes: one differing byte, a prefix of another
 * key, or the same bytes split differently between head and tail; many
 * keys in few buckets, so that chains are walked and compared. */
static void test_exact_keys(apr_pool_t *p)
{
    amt_lru_t *c;
    char value[1500], other[1500];
    const char *head = "policy+header";
    amt_lru_key_t k1, k2;
    unsigned char *data;
    apr_size_t len, i;
    int all = 1;

    amt_lru_make(&c, p, 1000, 1 << 22, NULL);
    memset(value, 'A', sizeof(value));
    memcpy(other, value, sizeof(other));
    other[sizeof(other) - 1] = 'B';
    k1.head = head; k1.head_len = strlen(head);
    k1.tail = value; k1.tail_len = sizeof(value);
    k2 = k1;
    k2.tail = other;
    ok(amt_lru_put(c, &k1, 100, 1, 0, (const unsigned char *)"one", 3)
       == APR_SUCCESS, "a long two-part key is stored");
    ok(amt_lru_get(c, &k2, 1, p, &data, &len) == APR_NOTFOUND,
       "its last byte changed: a miss");
    k2.tail = value;
    k2.tail_len = sizeof(value) - 1;
    ok(amt_lru_get(c, &k2, 1, p, &data, &len) == APR_NOTFOUND,
       "a prefix of it: a miss");
    k2.tail_len = sizeof(value);
    k2.head_len = strlen(head) - 1;
    ok(amt_lru_get(c, &k2, 1, p, &data, &len) == APR_NOTFOUND,
       "another head: a miss");
    k2.head = "policy+headerA";
    k2.head_len = strlen("policy+headerA");
    k2.tail = value + 1;
    k2.tail_len = sizeof(value) - 1;
    ok(amt_lru_get(c, &k2, 1, p, &data, &len) == APR_SUCCESS
       && len == 3 && memcmp(data, "one", 3) == 0,
       "the same bytes split elsewhere: the same key");
    ok(amt_lru_get(c, &k1, 1, p, &data, &len) == APR_SUCCESS
       && len == 3 && memcmp(data, "one", 3) == 0, "the key itself: a hit");

    /* 600 keys that differ in one byte at the end: some share a bucket */
    amt_lru_make(&c, p, 1000, 1 << 24, NULL);
    for (i = 0; i < 600; i++) {
        char d[16];
        apr_snprintf(other + sizeof(other) - 4, 4, "%03u", (unsigned)i);
        apr_snprintf(d, sizeof(d), "%u", (unsigned)i);
        k1.tail = other;
        amt_lru_put(c, &k1, 100, 1, 0, (const unsigned char *)d, strlen(d));
    }
    for (i = 0; i < 600; i++) {
        char d[16];
        apr_snprintf(other + sizeof(other) - 4, 4, "%03u", (unsigned)i);
        apr_snprintf(d, sizeof(d), "%u", (unsigned)i);
        if (amt_lru_get(c, &k1, 1, p, &data, &len) != APR_SUCCESS
            || len != strlen(d) || memcmp(data, d, len) != 0) {
            all = 0;
        }
    }
    ok(all, "600 keys one byte apart: each finds its own data");
}

/* ------------------------------------------------------------------ */

#define THREADS 4
#define OPS     40000
#define KEYS    97

typedef struct {
    amt_lru_t *c;
    unsigned seed;
    int corrupt;
} worker_t;

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *data)
{
    worker_t *w = data;
    apr_pool_t *p;
    int i;

    apr_pool_create(&p, NULL);
    for (i = 0; i < OPS; i++) {
        unsigned n, r;
        unsigned char key[AMT_ENTRY_KEY_LEN], *buf;
        apr_size_t len;
        w->seed = w->seed * 1103515245u + 12345u;
        r = w->seed >> 8;
        n = r % KEYS;
        mkkey(key, n);
        if (r & 0x10000) {
            unsigned char d[300];
            apr_size_t l = 16 + (r % 280);
            memset(d, (int)n, l);
            amt_lru_put(w->c, KEY(key), 2000, 1000, (int)(n & 1), d, l);
        }
        else if (amt_lru_get(w->c, KEY(key), 1000, p, &buf, &len) == APR_SUCCESS) {
            apr_size_t k;
            for (k = 0; k < len; k++) {
                if (buf[k] != (unsigned char)n) { w->corrupt++; break; }
            }
        }
        if ((i & 1023) == 0) apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_threads(apr_pool_t *p)
{
#if APR_HAS_THREADS
    amt_lru_t *c;
    amt_lru_stats_t st;
    apr_thread_t *th[THREADS];
    worker_t w[THREADS];
    apr_size_t n, bytes;
    int i, corrupt = 0;

    memset(&st, 0, sizeof(st));
    amt_lru_make(&c, p, 40, 6000, &st);
    for (i = 0; i < THREADS; i++) {
        w[i].c = c;
        w[i].seed = (unsigned)i * 7919u + 1;
        w[i].corrupt = 0;
        apr_thread_create(&th[i], NULL, worker, &w[i], p);
    }
    for (i = 0; i < THREADS; i++) {
        apr_status_t rv;
        apr_thread_join(&rv, th[i]);
        corrupt += w[i].corrupt;
    }
    amt_lru_size(c, &n, &bytes);
    is_int(corrupt, 0, "%d threads x %d operations: every hit returned its "
           "own key's data", THREADS, OPS);
    ok(n <= 40 && bytes <= 6000, "bounds held under concurrency (%"
       APR_SIZE_T_FMT " entries, %" APR_SIZE_T_FMT " bytes)", n, bytes);
    ok(st.entries == n && st.bytes == bytes,
       "shared counters agree with the cache");
    ok(st.evictions > 0, "evictions happened (%" APR_UINT64_T_FMT ")",
       (apr_uint64_t)st.evictions);
#else
    (void)p;
    skip(4, "APR without threads");
#endif
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    apr_atomic_init(p);
    test_basics(p);
    test_bounds(p);
    test_shared_stats(p);
    test_exact_keys(p);
    test_threads(p);
    apr_pool_destroy(p);
    return done_testing();
}
