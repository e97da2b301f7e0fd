/*
 * amt_intermediates.c - parsed intermediates by DER (see amt_intermediates.h).
 *
 * A small open table scanned linearly (max is small: tens of CAs), the
 * oldest entry replaced when full.  The DER is hashed with FNV-1a only to
 * skip most comparisons; equality is decided by memcmp of the whole DER.
 */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include "amt_intermediates.h"
#include "amt_inspect.h"

typedef struct {
    apr_uint64_t hash;
    unsigned char *der;
    apr_size_t len;
    X509 *x;
    unsigned long stamp;
} slot_t;

struct amt_intermediates_t {
    slot_t *slots;
    int max, count;
    unsigned long clock, hits;
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

static amt_intermediates_t *chain_cache;

void amt_chain_set_intermediates(amt_intermediates_t *cc)
{
    chain_cache = cc;
}

amt_intermediates_t *amt_chain_intermediates(void)
{
    return chain_cache;
}

static apr_uint64_t fnv1a(const unsigned char *p, apr_size_t n)
{
    apr_uint64_t h = APR_UINT64_C(14695981039346656037);
    apr_size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= APR_UINT64_C(1099511628211);
    }
    return h;
}

static apr_status_t intermediates_cleanup(void *data)
{
    amt_intermediates_t *cc = data;
    int i;

    if (chain_cache == cc) chain_cache = NULL;
    for (i = 0; i < cc->count; i++) {
        X509_free(cc->slots[i].x);
        free(cc->slots[i].der);
    }
    cc->count = 0;
    return APR_SUCCESS;
}

apr_status_t amt_intermediates_make(amt_intermediates_t **ccp, apr_pool_t *p,
                                    int max)
{
    amt_intermediates_t *cc = apr_pcalloc(p, sizeof(*cc));

    cc->max = max > 0 ? max : 1;
    cc->slots = apr_pcalloc(p, sizeof(slot_t) * (apr_size_t)cc->max);
#if APR_HAS_THREADS
    {
        apr_status_t rv = apr_thread_mutex_create(&cc->mutex,
                                                  APR_THREAD_MUTEX_DEFAULT, p);
        if (rv != APR_SUCCESS) return rv;
    }
#endif
    apr_pool_cleanup_register(p, cc, intermediates_cleanup,
                              apr_pool_cleanup_null);
    *ccp = cc;
    return APR_SUCCESS;
}

X509 *amt_intermediates_get(amt_intermediates_t *cc, const unsigned char *der,
                        apr_size_t len)
{
    apr_uint64_t h = fnv1a(der, len);
    X509 *x = NULL;
    int i;

    LOCK(cc);
    for (i = 0; i < cc->count; i++) {
        slot_t *s = &cc->slots[i];
        if (s->hash == h && s->len == len && memcmp(s->der, der, len) == 0) {
            if (X509_up_ref(s->x)) {
                x = s->x;
                s->stamp = ++cc->clock;
                cc->hits++;
            }
            break;
        }
    }
    UNLOCK(cc);
    return x;
}

void amt_intermediates_put(amt_intermediates_t *cc, const unsigned char *der,
                       apr_size_t len, X509 *x)
{
    apr_uint64_t h = fnv1a(der, len);
    unsigned char *copy = malloc(len ? len : 1);
    slot_t *s = NULL;
    int i;

    if (copy == NULL) return;
    memcpy(copy, der, len);
    LOCK(cc);
    for (i = 0; i < cc->count; i++) {
        if (cc->slots[i].hash == h && cc->slots[i].len == len
            && memcmp(cc->slots[i].der, der, len) == 0) {
            UNLOCK(cc);         /* another thread put it first */
            free(copy);
            return;
        }
    }
    if (!X509_up_ref(x)) {
        UNLOCK(cc);
        free(copy);
        return;
    }
    if (cc->count < cc->max) {
        s = &cc->slots[cc->count++];
    }
    else {
        s = &cc->slots[0];
        for (i = 1; i < cc->count; i++) {
            if (cc->slots[i].stamp < s->stamp) s = &cc->slots[i];
        }
        X509_free(s->x);
        free(s->der);
    }
    s->hash = h;
    s->der = copy;
    s->len = len;
    s->x = x;
    s->stamp = ++cc->clock;
    UNLOCK(cc);
}

void amt_intermediates_stats(amt_intermediates_t *cc, int *count,
                             unsigned long *hits)
{
    LOCK(cc);
    *count = cc->count;
    *hits = cc->hits;
    UNLOCK(cc);
}
