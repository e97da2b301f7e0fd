/*
 * test_intermediates.c - parsed intermediates kept per process
 * (amt_intermediates.h): lookups by exact DER, the bound, references that
 * outlive the cache, amt_chain_make() sharing intermediates and still
 * parsing leaves, and concurrent use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "amt_intermediates.h"
#include "amt_chain.h"
#include "amt_decode.h"
#include "amt_trust.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"
#include "amt_inspect.h"

#define THREADS 4

typedef struct {
    const char *header;
    amt_policy_t *policy;
    int bad;
} worker_t;

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *data)
{
    worker_t *w = data;
    apr_pool_t *p;
    int i;

    apr_pool_create(&p, NULL);
    for (i = 0; i < 300; i++) {
        amt_chain_t *chain;
        amt_result_t res;
        const char *reason;
        if (amt_chain_from_header(&chain, p, w->header, &reason) != APR_SUCCESS
            || amt_verify_chain(&res, p, w->policy, chain, 0) != APR_SUCCESS
            || res.outcome != AMT_OUTCOME_SUCCESS) {
            w->bad++;
        }
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

int main(void)
{
    apr_pool_t *p, *cp;
    pki_cert_t *root, *inter, *leaf1, *leaf2, *other;
    amt_intermediates_t *cc;
    unsigned char *der, *der2;
    apr_size_t len, len2;
    X509 *x, *y;
    amt_chain_t *c1, *c2;
    const char *reason, *dir, *path;
    amt_trust_t *trust;
    amt_policy_t policy;
    int count, i;
    unsigned long hits;

    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    amt_verify_init();
    root = pki_root(p, "CC Root");
    inter = pki_intermediate(p, "CC Inter", root);
    other = pki_intermediate(p, "CC Other", root);
    leaf1 = pki_leaf(p, "leaf1", inter);
    leaf2 = pki_leaf(p, "leaf2", inter);

    apr_pool_create(&cp, p);
    amt_intermediates_make(&cc, cp, 2);
    der = pki_der(p, inter->x509, &len);
    ok(amt_intermediates_get(cc, der, len) == NULL, "empty: not found");
    amt_intermediates_put(cc, der, len, inter->x509);
    x = amt_intermediates_get(cc, der, len);
    ok(x == inter->x509, "found by its DER: the same object");
    X509_free(x);
    der2 = apr_pmemdup(p, der, len);
    der2[len - 1] ^= 1;
    ok(amt_intermediates_get(cc, der2, len) == NULL,
       "one byte different (same length): not found");
    ok(amt_intermediates_get(cc, der, len - 1) == NULL, "a prefix: not found");

    amt_intermediates_put(cc, der, len, inter->x509);
    amt_intermediates_stats(cc, &count, &hits);
    is_int(count, 1, "putting the same DER twice keeps one entry");
    der2 = pki_der(p, other->x509, &len2);
    amt_intermediates_put(cc, der2, len2, other->x509);
    amt_intermediates_put(cc, pki_der(p, root->x509, &len2), len2, root->x509);
    amt_intermediates_stats(cc, &count, &hits);
    is_int(count, 2, "bounded to 2");
    ok(amt_intermediates_get(cc, der, len) == NULL,
       "the least recently used (CC Inter) went");

    /* a reference taken from the cache outlives it */
    der2 = pki_der(p, other->x509, &len2);
    y = amt_intermediates_get(cc, der2, len2);
    apr_pool_destroy(cp);
    {
        char name[256];
        ok(y != NULL && X509_NAME_oneline(X509_get_subject_name(y), name,
                                          sizeof(name)) != NULL
           && strstr(name, "CC Other") != NULL,
           "a reference outlives the destroyed cache");
    }
    X509_free(y);
    ok(amt_chain_intermediates() == NULL, "no certificate cache by default");

    /* amt_chain_make shares intermediates, parses leaves */
    apr_pool_create(&cp, p);
    amt_intermediates_make(&cc, cp, 8);
    amt_chain_set_intermediates(cc);
    amt_chain_from_header(&c1, p, pki_header(p, leaf1->x509, inter->x509, NULL),
                          &reason);
    amt_chain_from_header(&c2, p, pki_header(p, leaf2->x509, inter->x509, NULL),
                          &reason);
    ok(c1 && c2 && sk_X509_value(c1->sent, 0) == sk_X509_value(c2->sent, 0),
       "two chains under one intermediate share its parsed object");
    ok(c1 && c2 && c1->leaf != c2->leaf, "leaves are parsed each time");
    amt_chain_from_header(&c2, p, pki_header(p, leaf1->x509, inter->x509, NULL),
                          &reason);
    ok(c2 && c2->leaf != c1->leaf, "even the same leaf is parsed again");
    amt_intermediates_stats(cc, &count, &hits);
    ok(count == 1 && hits == 2, "one intermediate cached, two hits");

    dir = pki_tmpdir(p);
    path = pki_write_file(p, dir, "ca.pem", pki_pem(p, root->x509));
    amt_trust_make(&trust, p);
    amt_trust_add_file(trust, path, p, &reason);
    memset(&policy, 0, sizeof(policy));
    policy.trust = trust;
    policy.depth = 5;
    policy.no_ca_ok = 0;
    {
        amt_result_t res;
        amt_verify_chain(&res, p, &policy, c1, 0);
        is_int(res.outcome, AMT_OUTCOME_SUCCESS, "a chain with a cached "
               "intermediate verifies");
        /* a forged intermediate with the cached one's name still fails */
        amt_chain_from_header(&c2, p, pki_header(p, leaf1->x509,
                              pki_tamper(p, inter->x509), NULL), &reason);
        amt_verify_chain(&res, p, &policy, c2, 0);
        is_int(res.outcome, AMT_OUTCOME_FAILED,
               "a tampered intermediate is not taken from the cache");
    }
    {
        apr_thread_t *th[THREADS];
        worker_t w[THREADS];
        int bad = 0;
        for (i = 0; i < THREADS; i++) {
            w[i].header = pki_header(p, i & 1 ? leaf1->x509 : leaf2->x509,
                                     inter->x509, NULL);
            w[i].policy = &policy;
            w[i].bad = 0;
            apr_thread_create(&th[i], NULL, worker, &w[i], p);
        }
        for (i = 0; i < THREADS; i++) {
            apr_status_t rv;
            apr_thread_join(&rv, th[i]);
            bad += w[i].bad;
        }
        is_int(bad, 0, "%d threads x 300 chains through the shared "
               "intermediate all verify", THREADS);
    }
    apr_pool_destroy(cp);
    ok(amt_chain_intermediates() == NULL, "destroying the cache unsets it");
    apr_pool_destroy(p);
    return done_testing();
}
