/*
 * amt_lru.c - bounded, thread-safe in-process store (see amt_lru.h).
 *
 * A chained hash table and two LRU lists, one for good and one for failed
 * results.  Each node, its key bytes and its data are one malloc'ed block.
 * The table's hash is seeded at random per store (so nobody outside can
 * aim distinct keys at one chain) and reads the key eight bytes at a time;
 * a node matches only when its hash, its key length and its key bytes do.
 */
#include <stdlib.h>
#include <string.h>
#include <apr_atomic.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include "amt_lru.h"
#include "amt_inspect.h"

typedef struct node_t node_t;
struct node_t {
    node_t *hnext;              /* hash chain */
    node_t *prev, *next;        /* LRU list, most recent first */
    apr_uint64_t hash;
    time_t expires;
    apr_uint64_t used;          /* use stamp, for eviction across lists */
    int failed;
    apr_size_t key_len;         /* bytes[0 .. key_len): the key */
    apr_size_t len;             /* bytes[key_len .. key_len + len): data */
    unsigned char bytes[1];
};

typedef struct {
    node_t *head, *tail;
    apr_size_t entries, bytes;
} lru_t;

struct amt_lru_t {
    node_t **buckets;
    apr_size_t nbuckets;        /* power of two */
    apr_size_t max_entries, max_bytes;
    lru_t list[2];              /* [0] good, [1] failed */
    apr_uint64_t clock;
    amt_lru_stats_t own;
    amt_lru_stats_t *stats;
    apr_uint64_t seed;
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
};

#if APR_HAS_THREADS
#define LOCK(c)   apr_thread_mutex_lock((c)->mutex)
#define UNLOCK(c) apr_thread_mutex_unlock((c)->mutex)
#else
#define LOCK(c)
#define UNLOCK(c)
#endif

apr_size_t amt_lru_entry_cost(apr_size_t n)
{
    return sizeof(node_t) + n + sizeof(node_t *);
}

#define M1 0x9E3779B97F4A7C15ULL
#define M2 0xC2B2AE3D27D4EB4FULL

static apr_uint64_t rotl(apr_uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* the hash of a key's bytes, head and tail read as one run of bytes,
 * eight at a time */
typedef struct {
    apr_uint64_t h;
    unsigned char part[8];      /* bytes not yet folded in */
    apr_size_t fill;
} hasher_t;

static void fold(hasher_t *hs, apr_uint64_t w)
{
    hs->h = rotl(hs->h ^ (w * M2), 31) * M1;
}

static void feed(hasher_t *hs, const unsigned char *b, apr_size_t n)
{
    apr_uint64_t w;

    if (hs->fill > 0) {
        apr_size_t take = 8 - hs->fill < n ? 8 - hs->fill : n;
        memcpy(hs->part + hs->fill, b, take);
        hs->fill += take;
        b += take;
        n -= take;
        if (hs->fill < 8) return;
        memcpy(&w, hs->part, 8);
        fold(hs, w);
        hs->fill = 0;
    }
    for (; n >= 8; b += 8, n -= 8) {
        memcpy(&w, b, 8);
        fold(hs, w);
    }
    if (n > 0) {
        memcpy(hs->part, b, n);
        hs->fill = n;
    }
}

static apr_uint64_t hash_key(const amt_lru_t *c, const amt_lru_key_t *key)
{
    hasher_t hs;
    apr_uint64_t w = 0, h;

    hs.h = c->seed ^ ((apr_uint64_t)(key->head_len + key->tail_len) * M1);
    hs.fill = 0;
    if (key->head_len > 0) feed(&hs, key->head, key->head_len);
    if (key->tail_len > 0) feed(&hs, key->tail, key->tail_len);
    if (hs.fill > 0) {
        memcpy(&w, hs.part, hs.fill);
        fold(&hs, w);
    }
    h = hs.h;
    h ^= h >> 33;                       /* spread the high bits down */
    h *= M2;
    h ^= h >> 29;
    return h;
}

static int node_matches(const node_t *n, apr_uint64_t hash,
                        const amt_lru_key_t *key)
{
    return n->hash == hash && n->key_len == key->head_len + key->tail_len
        && (key->head_len == 0
            || memcmp(n->bytes, key->head, key->head_len) == 0)
        && (key->tail_len == 0
            || memcmp(n->bytes + key->head_len, key->tail,
                      key->tail_len) == 0);
}

static node_t **find_slot(amt_lru_t *c, apr_uint64_t hash,
                          const amt_lru_key_t *key)
{
    node_t **pp = &c->buckets[hash & (c->nbuckets - 1)];

    while (*pp != NULL && !node_matches(*pp, hash, key)) pp = &(*pp)->hnext;
    return pp;
}

/* the hash slot that points at n */
static node_t **slot_of(amt_lru_t *c, const node_t *n)
{
    node_t **pp = &c->buckets[n->hash & (c->nbuckets - 1)];

    while (*pp != n) pp = &(*pp)->hnext;
    return pp;
}

static void lru_unlink(lru_t *l, node_t *n)
{
    if (n->prev) n->prev->next = n->next; else l->head = n->next;
    if (n->next) n->next->prev = n->prev; else l->tail = n->prev;
    n->prev = n->next = NULL;
}

static void lru_push_front(lru_t *l, node_t *n)
{
    n->prev = NULL;
    n->next = l->head;
    if (l->head) l->head->prev = n; else l->tail = n;
    l->head = n;
}

/* unlinks and frees n, whose hash slot is *pp (or NULL: look it up) */
static void remove_node(amt_lru_t *c, node_t *n, node_t **pp)
{
    lru_t *l = &c->list[n->failed];
    apr_size_t cost = amt_lru_entry_cost(n->key_len + n->len);

    if (pp == NULL) pp = slot_of(c, n);
    *pp = n->hnext;
    lru_unlink(l, n);
    l->entries--;
    l->bytes -= cost;
    apr_atomic_dec64(&c->stats->entries);
    apr_atomic_sub64(&c->stats->bytes, cost);
    free(n);
}

static apr_size_t total_entries(const amt_lru_t *c)
{
    return c->list[0].entries + c->list[1].entries;
}

static apr_size_t total_bytes(const amt_lru_t *c)
{
    return c->list[0].bytes + c->list[1].bytes;
}

/* evicts least recently used entries until one more entry of `cost` bytes
 * fits the bounds (for the failed list: also its share) */
static void make_room(amt_lru_t *c, int failed, apr_size_t cost)
{
    if (failed) {
        lru_t *l = &c->list[1];
        while (l->tail != NULL && (l->entries + 1 > c->max_entries / 4
                                   || l->bytes + cost > c->max_bytes / 4)) {
            remove_node(c, l->tail, NULL);
            apr_atomic_inc64(&c->stats->evictions);
        }
    }
    while (total_entries(c) > 0 && (total_entries(c) + 1 > c->max_entries
                                    || total_bytes(c) + cost > c->max_bytes)) {
        node_t *a = c->list[0].tail, *b = c->list[1].tail;
        node_t *victim = (a == NULL) ? b
                       : (b == NULL) ? a
                       : (a->used <= b->used ? a : b);
        remove_node(c, victim, NULL);
        apr_atomic_inc64(&c->stats->evictions);
    }
}

static apr_status_t cache_cleanup(void *data)
{
    amt_lru_clear(data);
    return APR_SUCCESS;
}

apr_status_t amt_lru_make(amt_lru_t **cache, apr_pool_t *p,
                            apr_size_t max_entries, apr_size_t max_bytes,
                            amt_lru_stats_t *stats)
{
    amt_lru_t *c = apr_pcalloc(p, sizeof(*c));

    if (max_entries < 4) max_entries = 4;
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    c->nbuckets = 16;
    while (c->nbuckets < max_entries && c->nbuckets < ((apr_size_t)1 << 24)) {
        c->nbuckets <<= 1;
    }
    c->buckets = apr_pcalloc(p, c->nbuckets * sizeof(node_t *));
    c->stats = stats ? stats : &c->own;
    if (apr_generate_random_bytes((unsigned char *)&c->seed,
                                  sizeof(c->seed)) != APR_SUCCESS) {
        c->seed = (apr_uint64_t)apr_time_now() * M1 ^ (apr_uintptr_t)c;
    }
#if APR_HAS_THREADS
    {
        apr_status_t rv = apr_thread_mutex_create(&c->mutex,
                                                  APR_THREAD_MUTEX_DEFAULT, p);
        if (rv != APR_SUCCESS) return rv;
    }
#endif
    apr_pool_cleanup_register(p, c, cache_cleanup, apr_pool_cleanup_null);
    *cache = c;
    return APR_SUCCESS;
}

apr_status_t amt_lru_get(amt_lru_t *c, const amt_lru_key_t *key,
                           time_t now, apr_pool_t *p,
                           unsigned char **data, apr_size_t *len)
{
    apr_uint64_t hash = hash_key(c, key);
    node_t **pp, *n;
    apr_status_t rv = APR_NOTFOUND;

    LOCK(c);
    pp = find_slot(c, hash, key);
    if ((n = *pp) != NULL) {
        if (n->expires <= now) {
            remove_node(c, n, pp);
            apr_atomic_inc64(&c->stats->expirations);
        }
        else {
            lru_t *l = &c->list[n->failed];
            n->used = ++c->clock;
            lru_unlink(l, n);
            lru_push_front(l, n);
            *data = apr_pmemdup(p, n->bytes + n->key_len, n->len);
            *len = n->len;
            rv = APR_SUCCESS;
        }
    }
    UNLOCK(c);
    return rv;
}

apr_status_t amt_lru_put(amt_lru_t *c, const amt_lru_key_t *key,
                           time_t expires, time_t now, int failed,
                           const unsigned char *data, apr_size_t len)
{
    apr_size_t key_len = key->head_len + key->tail_len;
    apr_size_t cost = amt_lru_entry_cost(key_len + len);
    apr_size_t share = failed ? c->max_bytes / 4 : c->max_bytes;
    apr_uint64_t hash = hash_key(c, key);
    node_t **pp, *n;

    failed = failed != 0;
    if (expires <= now) return APR_EINVAL;
    if (cost > share || (failed && c->max_entries / 4 == 0)) return APR_ENOSPC;
    if ((n = malloc(sizeof(node_t) + key_len + len)) == NULL) {
        return APR_ENOMEM;
    }
    n->hash = hash;
    n->key_len = key_len;
    if (key->head_len > 0) memcpy(n->bytes, key->head, key->head_len);
    if (key->tail_len > 0) {
        memcpy(n->bytes + key->head_len, key->tail, key->tail_len);
    }
    memcpy(n->bytes + key_len, data, len);
    n->len = len;
    n->expires = expires;
    n->failed = failed;
    n->prev = n->next = n->hnext = NULL;

    LOCK(c);
    pp = find_slot(c, hash, key);
    if (*pp != NULL) remove_node(c, *pp, pp);
    make_room(c, failed, cost);
    pp = find_slot(c, hash, key);
    n->used = ++c->clock;
    *pp = n;
    lru_push_front(&c->list[failed], n);
    c->list[failed].entries++;
    c->list[failed].bytes += cost;
    apr_atomic_inc64(&c->stats->entries);
    apr_atomic_add64(&c->stats->bytes, cost);
    UNLOCK(c);
    return APR_SUCCESS;
}

void amt_lru_clear(amt_lru_t *c)
{
    int i;

    LOCK(c);
    for (i = 0; i < 2; i++) {
        while (c->list[i].head != NULL) remove_node(c, c->list[i].head, NULL);
    }
    UNLOCK(c);
}

void amt_lru_size(amt_lru_t *c, apr_size_t *entries, apr_size_t *bytes)
{
    LOCK(c);
    *entries = total_entries(c);
    *bytes = total_bytes(c);
    UNLOCK(c);
}
