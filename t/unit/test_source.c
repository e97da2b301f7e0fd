/*
 * test_source.c - CA and CRL sources read again while httpd runs
 * (amt_source_*): stamps (change detection), loads and their content
 * digests, keeping the previous load when the new content is bad (once per
 * change), interval 0, the due claim, CRL descriptions, and loads swapped
 * while threads use them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_atomic.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <openssl/pem.h>

#include "amt_chain.h"
#include "amt_crl.h"
#include "amt_error.h"
#include "amt_source.h"
#include "amt_trust.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"

static apr_status_t crl_free(void *data)
{
    X509_CRL_free(data);
    return APR_SUCCESS;
}

/* PEM of a CRL by issuer, nextUpdate in next_off seconds, revoking rev
 * (NULL: nothing) */
static const char *crl_pem(apr_pool_t *p, const pki_cert_t *issuer,
                           long next_off, const pki_cert_t *rev)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    time_t now = time(NULL);
    BIO *b;
    char *data;
    long n;
    const char *s;

    if (crl == NULL || t == NULL || !X509_CRL_set_version(crl, 1)
        || !X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->x509))
        || !ASN1_TIME_adj(t, now, 0, -60) || !X509_CRL_set1_lastUpdate(crl, t)
        || !ASN1_TIME_adj(t, now, 0, next_off)
        || !X509_CRL_set1_nextUpdate(crl, t))
        bail_out("crl_pem: cannot build");
    if (rev != NULL) {
        X509_REVOKED *r = X509_REVOKED_new();
        if (r == NULL
            || !X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(rev->x509))
            || !X509_REVOKED_set_revocationDate(r, t)
            || !X509_CRL_add0_revoked(crl, r))
            bail_out("crl_pem: cannot revoke");
    }
    ASN1_TIME_free(t);
    if (!X509_CRL_sort(crl) || !X509_CRL_sign(crl, issuer->key, EVP_sha256()))
        bail_out("crl_pem: cannot sign");
    apr_pool_cleanup_register(p, crl, crl_free, apr_pool_cleanup_null);
    b = BIO_new(BIO_s_mem());
    if (b == NULL || !PEM_write_bio_X509_CRL(b, crl)) bail_out("crl_pem: write");
    n = BIO_get_mem_data(b, &data);
    s = apr_pstrmemdup(p, data, (apr_size_t)n);
    BIO_free(b);
    return s;
}

/* writes dir/.name.tmp, then renames it to dir/name: a safe publication */
static const char *publish(apr_pool_t *p, const char *dir, const char *name,
                           const char *content)
{
    const char *tmp = pki_write_file(p, dir, apr_pstrcat(p, ".", name, ".tmp",
                                                         NULL), content);
    const char *path = apr_pstrcat(p, dir, "/", name, NULL);

    if (rename(tmp, path) != 0) bail_out("rename %s", path);
    return path;
}

static amt_source_t *source(apr_pool_t *p, amt_source_kind_e kind,
                            const char *path, int is_dir)
{
    amt_source_t *src;
    const char *err = NULL;

    if (amt_source_make(&src, p, kind) != APR_SUCCESS) bail_out("make");
    amt_source_add(src, path, is_dir, p);
    if (amt_source_read(src, p, &err) != APR_SUCCESS)
        bail_out("read %s: %s", path, tap_escape(err));
    return src;
}

static amt_outcome_e verify(apr_pool_t *p, const amt_trust_t *trust,
                            const amt_crl_t *crl, const pki_cert_t *leaf,
                            const char **reason)
{
    amt_policy_t policy;
    amt_chain_t *chain = NULL;
    amt_result_t res;
    const char *err = NULL;

    memset(&policy, 0, sizeof(policy));
    policy.trust = trust;
    policy.depth = 5;
    policy.crl = crl;
    policy.crl_check = crl ? AMT_CRL_CHECK_LEAF : AMT_CRL_CHECK_NONE;
    if (amt_chain_from_header(&chain, p, pki_header(p, leaf->x509, NULL),
                              &err) != APR_SUCCESS)
        bail_out("chain: %s", tap_escape(err));
    if (amt_verify_chain(&res, p, &policy, chain, 0) != APR_SUCCESS)
        bail_out("verify");
    if (reason) *reason = res.reason ? res.reason : "";
    return res.outcome;
}

static void test_stamp(apr_pool_t *p)
{
    const char *dir = pki_tmpdir(p), *sub;
    pki_cert_t *root = pki_root(p, "Stamp Root");
    amt_source_t *f, *d;
    unsigned char a[AMT_STAMP_LEN], b[AMT_STAMP_LEN];
    const char *path = publish(p, dir, "ca.pem", pki_pem(p, root->x509));
    apr_finfo_t fi;

    f = source(p, AMT_SOURCE_TRUST, path, 0);
    amt_source_stamp(f, p, a);
    amt_source_stamp(f, p, b);
    ok(memcmp(a, b, sizeof(a)) == 0, "stamp: unchanged file, same stamp");
    ok(memcmp(a, amt_load_stamp(amt_source_current(f)), sizeof(a)) == 0,
       "stamp: the load carries the stamp it was read with");
    publish(p, dir, "ca.pem", pki_pem(p, root->x509));
    amt_source_stamp(f, p, b);
    ok(memcmp(a, b, sizeof(a)) != 0,
       "stamp: same bytes renamed into place (new inode) change it");
    memcpy(a, b, sizeof(a));
    if (apr_stat(&fi, path, APR_FINFO_MTIME, p) != APR_SUCCESS
        || apr_file_mtime_set(path, fi.mtime - apr_time_from_sec(10), p)
           != APR_SUCCESS)
        bail_out("mtime");
    amt_source_stamp(f, p, b);
    ok(memcmp(a, b, sizeof(a)) != 0, "stamp: a new mtime changes it");
    memcpy(a, b, sizeof(a));
    unlink(path);
    amt_source_stamp(f, p, b);
    ok(memcmp(a, b, sizeof(a)) != 0, "stamp: a removed file changes it");
    amt_source_stamp(f, p, a);
    ok(memcmp(a, b, sizeof(a)) == 0, "stamp: ... and stays stable");

    sub = apr_pstrcat(p, dir, "/hashed", NULL);
    if (apr_dir_make(sub, APR_OS_DEFAULT, p) != APR_SUCCESS) bail_out("mkdir");
    publish(p, sub, apr_pstrcat(p, pki_subject_hash(p, root->x509), ".0",
                                NULL), pki_pem(p, root->x509));
    d = source(p, AMT_SOURCE_TRUST, sub, 1);
    amt_source_stamp(d, p, a);
    pki_write_file(p, sub, ".hidden.tmp", "x");
    amt_source_stamp(d, p, b);
    ok(memcmp(a, b, sizeof(a)) == 0,
       "stamp: a dot file in a directory (a temporary file) does not count");
    pki_write_file(p, sub, "12345678.0", "not a certificate");
    amt_source_stamp(d, p, b);
    ok(memcmp(a, b, sizeof(a)) != 0, "stamp: a new directory entry counts");
    memcpy(a, b, sizeof(a));
    pki_write_file(p, sub, "12345678.0", "not a certificate, longer");
    amt_source_stamp(d, p, b);
    ok(memcmp(a, b, sizeof(a)) != 0,
       "stamp: an entry rewritten in place (size) counts");
}

static void test_reload_trust(apr_pool_t *p)
{
    const char *dir = pki_tmpdir(p), *err = NULL;
    pki_cert_t *r1 = pki_root(p, "Reload Root One");
    pki_cert_t *r2 = pki_root(p, "Reload Root Two");
    pki_cert_t *l1 = pki_leaf(p, "leaf one", r1);
    pki_cert_t *l2 = pki_leaf(p, "leaf two", r2);
    const char *path = publish(p, dir, "ca.pem", pki_pem(p, r1->x509));
    amt_source_t *src = source(p, AMT_SOURCE_TRUST, path, 0);
    amt_trust_t *fresh = NULL;
    amt_load_t *old, *cur;
    unsigned char d1[AMT_TRUST_DIGEST_LEN];
    apr_time_t now = apr_time_now();

    ok(amt_load_crl(amt_source_current(src)) == NULL
       && amt_load_trust(amt_source_current(src)) != NULL,
       "a CA source loads trust anchors, no CRL set");
    if (amt_trust_make(&fresh, p) != APR_SUCCESS
        || amt_trust_add_file(fresh, path, p, &err) != APR_SUCCESS)
        bail_out("fresh: %s", tap_escape(err));
    ok(memcmp(amt_trust_digest(fresh),
              amt_trust_digest(amt_load_trust(amt_source_current(src))),
              AMT_TRUST_DIGEST_LEN) == 0,
       "the load's fingerprint is the content's (equal to a fresh store's)");
    memcpy(d1, amt_trust_digest(amt_load_trust(amt_source_current(src))),
           sizeof(d1));

    /* interval 0: nothing is looked at */
    amt_source_set_interval(src, 0, 0);
    publish(p, dir, "ca.pem", pki_pem(p, r2->x509));
    ok(!amt_source_due(src, now), "interval 0: never due");
    is_int(amt_source_check(src, now, p, &err), AMT_CHECK_SAME,
           "interval 0: a changed file is not read");
    is_int(verify(p, amt_load_trust(amt_source_current(src)), NULL, l1, NULL),
           AMT_OUTCOME_SUCCESS, "interval 0: the old CA still verifies");

    amt_source_set_interval(src, apr_time_from_sec(2), 0);
    ok(amt_source_due(src, now), "first check is due at once");
    ok(!amt_source_due(src, now), "... for one caller only");
    old = amt_source_acquire(src);
    is_int(amt_source_check(src, now, p, &err), AMT_CHECK_RELOADED,
           "a CA file renamed into place is read again");
    ok(!amt_source_due(src, now + apr_time_from_sec(1)),
       "not due again within the interval");
    ok(amt_source_due(src, now + apr_time_from_sec(2)),
       "due again after the interval");
    is_int(amt_source_check(src, now + apr_time_from_sec(2), p, &err),
           AMT_CHECK_SAME, "unchanged: nothing read");
    cur = amt_source_acquire(src);
    ok(cur != old, "a new load is current");
    is_int(verify(p, amt_load_trust(cur), NULL, l2, NULL),
           AMT_OUTCOME_SUCCESS, "new CA accepted");
    is_int(verify(p, amt_load_trust(cur), NULL, l1, NULL),
           AMT_OUTCOME_FAILED, "removed CA refused");
    ok(memcmp(d1, amt_trust_digest(amt_load_trust(cur)), sizeof(d1)) != 0,
       "the fingerprint (policy identity, cache key) changed");
    /* the pinned old load is still whole until released */
    is_int(verify(p, amt_load_trust(old), NULL, l1, NULL),
           AMT_OUTCOME_SUCCESS, "a request's pinned old load still works");
    ok(memcmp(d1, amt_trust_digest(amt_load_trust(old)), sizeof(d1)) == 0,
       "... with its old fingerprint");
    amt_source_release(src, old);       /* frees it (ASan/valgrind) */

    /* bad replacements keep the previous load, reported once per change */
    publish(p, dir, "ca.pem", "garbage\n");
    err = NULL;
    is_int(amt_source_check(src, now, p, &err), AMT_CHECK_FAILED,
           "a file that is not PEM: failed");
    contains_str(err, path, "the reason names the file");
    is_int(amt_source_check(src, now, p, &err), AMT_CHECK_FAILED_AGAIN,
           "the same bad file again: not read, not reported again");
    ok(amt_source_current(src) == cur, "the previous load stays current");
    publish(p, dir, "ca.pem", crl_pem(p, r1, 3600, NULL));
    is_int(amt_source_check(src, now, p, &err), AMT_CHECK_FAILED,
           "a file with no certificate: failed (a new change)");
    contains_str(err, "no PEM certificate", "... saying why");
    unlink(path);
    is_int(amt_source_check(src, now, p, &err), AMT_CHECK_FAILED,
           "a missing file: failed");
    ok(amt_source_current(src) == cur, "the previous load still current");
    publish(p, dir, "ca.pem", pki_pem_chain(p, r1->x509, r2->x509, NULL));
    is_int(amt_source_check(src, now, p, &err), AMT_CHECK_RELOADED,
           "the next good version is read");
    is_int(verify(p, amt_load_trust(amt_source_current(src)), NULL, l1,
                  NULL), AMT_OUTCOME_SUCCESS, "both CAs now");
    amt_source_release(src, cur);
}

static void test_reload_crl(apr_pool_t *p)
{
    const char *dir = pki_tmpdir(p), *err = NULL, *reason = NULL, *issuer;
    const char *sub = apr_pstrcat(p, dir, "/crls", NULL);
    pki_cert_t *root = pki_root(p, "CRL Reload Root");
    pki_cert_t *leaf = pki_leaf(p, "crl leaf", root);
    amt_trust_t *trust = NULL;
    amt_source_t *src, *dsrc;
    const amt_crl_t *crl;
    unsigned char d1[AMT_CRL_DIGEST_LEN];
    time_t tu, nu, now = time(NULL);
    const char *link = apr_pstrcat(p, pki_subject_hash(p, root->x509), ".r0",
                                   NULL);

    if (amt_trust_make(&trust, p) != APR_SUCCESS
        || amt_trust_add_file(trust, pki_write_file(p, dir, "ca.pem",
                              pki_pem(p, root->x509)), p, &err) != APR_SUCCESS)
        bail_out("trust: %s", tap_escape(err));
    src = source(p, AMT_SOURCE_CRL, publish(p, dir, "crl.pem",
                                            crl_pem(p, root, 7200, NULL)), 0);
    amt_source_set_interval(src, apr_time_from_sec(1), 0);
    crl = amt_load_crl(amt_source_current(src));
    ok(crl != NULL && amt_load_trust(amt_source_current(src)) == NULL,
       "a CRL source loads a CRL set");
    is_int(amt_crl_count(crl), 1, "one CRL");
    amt_crl_describe(crl, 0, p, &issuer, &tu, &nu);
    contains_str(issuer, "CN=CRL Reload Root", "describe: issuer");
    ok(tu <= now && tu >= now - 120, "describe: thisUpdate");
    ok(nu >= now + 7100 && nu <= now + 7300, "describe: nextUpdate");
    memcpy(d1, amt_crl_digest(crl), sizeof(d1));
    is_int(verify(p, trust, crl, leaf, NULL), AMT_OUTCOME_SUCCESS,
           "not revoked yet");
    publish(p, dir, "crl.pem", crl_pem(p, root, 7200, leaf));
    is_int(amt_source_check(src, apr_time_now(), p, &err),
           AMT_CHECK_RELOADED, "a CRL renamed into place is read again");
    crl = amt_load_crl(amt_source_current(src));
    is_int(verify(p, trust, crl, leaf, &reason), AMT_OUTCOME_FAILED,
           "now revoked");
    is_str(reason, "certificate revoked", "... as certificate revoked");
    ok(memcmp(d1, amt_crl_digest(crl), sizeof(d1)) != 0,
       "the CRL set's fingerprint changed");
    publish(p, dir, "crl.pem", pki_pem(p, root->x509));
    is_int(amt_source_check(src, apr_time_now(), p, &err), AMT_CHECK_FAILED,
           "a CRL file holding no CRL: failed");
    contains_str(err, "no PEM CRL", "... saying why");
    ok(amt_load_crl(amt_source_current(src)) == crl, "the revoking set stays");

    /* CRLPath */
    if (apr_dir_make(sub, APR_OS_DEFAULT, p) != APR_SUCCESS) bail_out("mkdir");
    publish(p, sub, link, crl_pem(p, root, 7200, NULL));
    dsrc = source(p, AMT_SOURCE_CRL, sub, 1);
    amt_source_set_interval(dsrc, apr_time_from_sec(1), 0);
    is_int(verify(p, trust, amt_load_crl(amt_source_current(dsrc)), leaf,
                  NULL), AMT_OUTCOME_SUCCESS, "CRLPath: not revoked");
    publish(p, sub, link, crl_pem(p, root, 7200, leaf));
    is_int(amt_source_check(dsrc, apr_time_now(), p, &err),
           AMT_CHECK_RELOADED, "CRLPath: a link replaced is read again");
    is_int(verify(p, trust, amt_load_crl(amt_source_current(dsrc)), leaf,
                  NULL), AMT_OUTCOME_FAILED, "CRLPath: now revoked");
    pki_write_file(p, sub, "abcdef01.r0", "junk");
    is_int(amt_source_check(dsrc, apr_time_now(), p, &err), AMT_CHECK_FAILED,
           "CRLPath: a bad new link fails");
    contains_str(err, "abcdef01.r0", "... naming the file");
    is_int(verify(p, trust, amt_load_crl(amt_source_current(dsrc)), leaf,
                  NULL), AMT_OUTCOME_FAILED, "CRLPath: previous set kept");
}

/* threads pin, verify and release while the main thread swaps loads */
typedef struct {
    amt_source_t *src;
    const pki_cert_t *l1, *l2;
    volatile apr_uint32_t *stop;
    int bad;
    int runs;
} worker_t;

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *data)
{
    worker_t *w = data;
    apr_pool_t *p;

    apr_pool_create(&p, NULL);
    while (!apr_atomic_read32(w->stop)) {
        amt_load_t *load = amt_source_acquire(w->src);
        amt_outcome_e a = verify(p, amt_load_trust(load), NULL, w->l1, NULL);
        amt_outcome_e b = verify(p, amt_load_trust(load), NULL, w->l2, NULL);
        /* one consistent load: exactly one of the two CAs */
        if ((a == AMT_OUTCOME_SUCCESS) == (b == AMT_OUTCOME_SUCCESS)) w->bad++;
        amt_source_release(w->src, load);
        w->runs++;
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_threads(apr_pool_t *p)
{
    const char *dir = pki_tmpdir(p), *err;
    pki_cert_t *r1 = pki_root(p, "Thread Root One");
    pki_cert_t *r2 = pki_root(p, "Thread Root Two");
    const char *pem1 = pki_pem(p, r1->x509), *pem2 = pki_pem(p, r2->x509);
    volatile apr_uint32_t stop = 0;
    apr_thread_t *th[4];
    worker_t w[4];
    amt_source_t *src;
    int i, swaps = 0, bad = 0, runs = 0;
    apr_status_t st;

    src = source(p, AMT_SOURCE_TRUST, publish(p, dir, "ca.pem", pem1), 0);
    amt_source_set_interval(src, 1, 0);
    for (i = 0; i < 4; i++) {
        w[i].src = src;
        w[i].l1 = pki_leaf(p, "t1", r1);
        w[i].l2 = pki_leaf(p, "t2", r2);
        w[i].stop = &stop;
        w[i].bad = w[i].runs = 0;
        if (apr_thread_create(&th[i], NULL, worker, &w[i], p) != APR_SUCCESS)
            bail_out("thread");
    }
    for (i = 0; i < 60; i++) {
        apr_pool_t *tp;
        apr_pool_create(&tp, p);
        publish(p, dir, "ca.pem", i % 2 ? pem1 : pem2);
        if (amt_source_check(src, apr_time_now(), tp, &err)
            == AMT_CHECK_RELOADED) swaps++;
        apr_pool_destroy(tp);
        apr_sleep(2000);
    }
    apr_atomic_set32(&stop, 1);
    for (i = 0; i < 4; i++) {
        apr_thread_join(&st, th[i]);
        bad += w[i].bad;
        runs += w[i].runs;
    }
    is_int(swaps, 60, "threads: 60 swaps while 4 threads verify");
    is_int(bad, 0, "threads: every request saw one consistent load");
    ok(runs > 0, "threads: %d verifications ran", runs);
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    amt_verify_init();

    test_stamp(p);
    test_reload_trust(p);
    test_reload_crl(p);
    test_threads(p);

    {
        int rc = done_testing();

        apr_pool_destroy(p);
        apr_terminate();
        return rc;
    }
}
