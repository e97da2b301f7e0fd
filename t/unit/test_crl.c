/*
 * test_crl.c - CRL loading (amt_crl_*), revocation checks in
 * amt_verify_chain() with mod_ssl's SSLCARevocationCheck semantics, and the
 * CRL part of the policy contract (amt_policy_material/_same/_not_after).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "amt_chain.h"
#include "amt_crl.h"
#include "amt_error.h"
#include "amt_trust.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"
#include "amt_inspect.h"

typedef struct {
    pki_cert_t *root, *inter, *inter_rev, *leaf, *leaf_rev, *leaf_under_rev;
    pki_cert_t *foreign, *leaf_f;
} certs_t;

static apr_status_t crl_free(void *data)
{
    X509_CRL_free(data);
    return APR_SUCCESS;
}

/* A CRL by issuer, valid from now+last_off to now+next_off (next_off 0:
 * no nextUpdate), revoking the given certificates (NULL-terminated). */
static X509_CRL *make_crl(apr_pool_t *p, const pki_cert_t *issuer,
                          long last_off, long next_off, ...)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    time_t now = time(NULL);
    va_list ap;
    const pki_cert_t *rc;

    if (crl == NULL || t == NULL
        || !X509_CRL_set_version(crl, 1)
        || !X509_CRL_set_issuer_name(crl,
                                     X509_get_subject_name(issuer->x509))
        || !ASN1_TIME_adj(t, now, 0, last_off)
        || !X509_CRL_set1_lastUpdate(crl, t))
        bail_out("make_crl: cannot build a CRL");
    if (next_off != 0
        && (!ASN1_TIME_adj(t, now, 0, next_off)
            || !X509_CRL_set1_nextUpdate(crl, t)))
        bail_out("make_crl: cannot set nextUpdate");
    va_start(ap, next_off);
    while ((rc = va_arg(ap, const pki_cert_t *)) != NULL) {
        X509_REVOKED *rev = X509_REVOKED_new();
        ASN1_TIME *when = ASN1_TIME_adj(NULL, now, 0, -3600);

        if (rev == NULL || when == NULL
            || !X509_REVOKED_set_serialNumber(rev,
                                              X509_get_serialNumber(rc->x509))
            || !X509_REVOKED_set_revocationDate(rev, when)
            || !X509_CRL_add0_revoked(crl, rev))
            bail_out("make_crl: cannot add a revoked entry");
        ASN1_TIME_free(when);
    }
    va_end(ap);
    ASN1_TIME_free(t);
    if (!X509_CRL_sort(crl) || !X509_CRL_sign(crl, issuer->key, EVP_sha256()))
        bail_out("make_crl: cannot sign");
    apr_pool_cleanup_register(p, crl, crl_free, apr_pool_cleanup_null);
    return crl;
}

static const char *crl_pem(apr_pool_t *p, X509_CRL *crl)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    long n;
    const char *s;

    if (b == NULL || !PEM_write_bio_X509_CRL(b, crl))
        bail_out("crl_pem: cannot write");
    n = BIO_get_mem_data(b, &data);
    s = apr_pstrmemdup(p, data, (apr_size_t)n);
    BIO_free(b);
    return s;
}

static amt_crl_t *load(apr_pool_t *p, const char *path, int is_dir)
{
    amt_crl_t *c = NULL;
    const char *err = NULL;

    if (amt_crl_make(&c, p) != APR_SUCCESS)
        bail_out("amt_crl_make failed");
    if ((is_dir ? amt_crl_add_dir(c, path, p, &err)
                : amt_crl_add_file(c, path, p, &err)) != APR_SUCCESS)
        bail_out("cannot load %s: %s", path, tap_escape(err));
    return c;
}

static amt_result_t verify(apr_pool_t *p, const amt_trust_t *trust,
                           const amt_crl_t *crl, int check, int no_crl_ok,
                           int no_ca_ok, X509 *leaf, X509 *inter)
{
    amt_policy_t pol = { .trust = trust, .depth = 5, .no_ca_ok = no_ca_ok,
                         .crl = crl, .crl_check = check,
                         .crl_no_crl_ok = no_crl_ok };
    amt_result_t res = { AMT_OUTCOME_NONE, -1, -1, NULL, 0, AMT_FAIL_NONE };
    amt_chain_t *chain = NULL;
    const char *reason = NULL;
    const char *hdr = inter ? pki_header(p, leaf, inter, NULL)
                            : pki_header(p, leaf, NULL);

    if (amt_chain_from_header(&chain, p, hdr, &reason) != APR_SUCCESS
        || chain == NULL)
        bail_out("chain does not parse: %s", tap_escape(reason));
    if (amt_verify_chain(&res, p, &pol, chain, 0) != APR_SUCCESS)
        res.outcome = (amt_outcome_e)-1;
    return res;
}

static void expect(amt_result_t res, amt_outcome_e outcome, int x509_error,
                   int depth, const char *name)
{
    if (!is_int(res.outcome, outcome, "%s: outcome", name))
        diag("x509_error %d (%s)", res.x509_error, tap_escape(res.reason));
    if (outcome == AMT_OUTCOME_FAILED) {
        is_int(res.x509_error, x509_error, "%s: x509 error", name);
        if (depth >= 0) is_int(res.error_depth, depth, "%s: depth", name);
    }
}

static void test_parse(apr_pool_t *p)
{
    static const struct {
        const char *in;
        int ok, mode, flag;
    } c[] = {
        { "none", 1, AMT_CRL_CHECK_NONE, 0 },
        { "leaf", 1, AMT_CRL_CHECK_LEAF, 0 },
        { "chain", 1, AMT_CRL_CHECK_CHAIN, 0 },
        { "CHAIN", 1, AMT_CRL_CHECK_CHAIN, 0 },
        { " chain  no_crl_for_cert_ok ", 1, AMT_CRL_CHECK_CHAIN, 1 },
        { "leaf No_CRL_For_Cert_OK", 1, AMT_CRL_CHECK_LEAF, 1 },
        { "", 0, 0, 0 },
        { "   ", 0, 0, 0 },
        { "all", 0, 0, 0 },
        { "chain yes", 0, 0, 0 },
        { "no_crl_for_cert_ok", 0, 0, 0 },
        { "chain no_crl_for_cert_ok no_crl_for_cert_ok", 0, 0, 0 },
        { "chain\tno_crl_for_cert_ok extra", 0, 0, 0 },
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        amt_crl_check_e mode;
        int flag = -1;
        const char *err = NULL;
        apr_status_t rv = amt_crl_parse_check(&mode, &flag, p, c[i].in, &err);

        if (c[i].ok) {
            ok(rv == APR_SUCCESS && (int)mode == c[i].mode
               && flag == c[i].flag, "CRLCheck '%s' parses", c[i].in);
        }
        else {
            ok(rv == AMT_EBADVALUE && err != NULL && *err != '\0',
               "CRLCheck '%s' refused (%s)", c[i].in, tap_escape(err));
        }
    }
    is_str(amt_crl_check_name(AMT_CRL_CHECK_CHAIN), "chain", "name of chain");
    is_str(amt_crl_check_name(AMT_CRL_CHECK_LEAF), "leaf", "name of leaf");
    is_str(amt_crl_check_name(AMT_CRL_CHECK_NONE), "none", "name of none");
}

static void test_load_errors(apr_pool_t *p, const certs_t *k)
{
    const char *dir = pki_tmpdir(p);
    const char *certonly = pki_write_file(p, dir, "cert.pem",
                                          pki_pem(p, k->root->x509));
    const char *junk = pki_write_file(p, dir, "junk.pem", "not a CRL\n");
    const char *badcrl = pki_write_file(p, dir, "bad.pem",
        "-----BEGIN X509 CRL-----\naGVsbG8gd29ybGQK\n-----END X509 CRL-----\n");
    const char *emptydir = pki_tmpdir(p);
    amt_crl_t *c = NULL;
    const char *err;

    if (amt_crl_make(&c, p) != APR_SUCCESS) bail_out("amt_crl_make");
    err = NULL;
    ok(amt_crl_add_file(c, apr_pstrcat(p, dir, "/missing.pem", NULL), p, &err)
       == AMT_ETRUST, "missing CRL file refused");
    contains_str(err, "missing.pem", "missing file: message names the file");
    err = NULL;
    ok(amt_crl_add_file(c, dir, p, &err) == AMT_ETRUST,
       "CRL file that is a directory refused");
    contains_str(err, "not a regular file", "directory: says so");
    err = NULL;
    ok(amt_crl_add_file(c, certonly, p, &err) == AMT_ETRUST,
       "file with a certificate but no CRL refused");
    contains_str(err, "no PEM CRL", "certificate-only file: says no CRL");
    err = NULL;
    ok(amt_crl_add_file(c, junk, p, &err) == AMT_ETRUST,
       "file that is not PEM refused");
    err = NULL;
    ok(amt_crl_add_file(c, badcrl, p, &err) == AMT_ETRUST,
       "PEM CRL block with garbage DER refused");
    err = NULL;
    ok(amt_crl_add_dir(c, emptydir, p, &err) == AMT_ETRUST,
       "CRL path without <hash>.rN links refused");
    contains_str(err, "rehash", "empty CRL path: suggests openssl rehash");
    err = NULL;
    ok(amt_crl_add_dir(c, certonly, p, &err) == AMT_ETRUST,
       "CRL path that is a file refused");
    is_int(amt_crl_count(c), 0, "failed loads add nothing");
    {
        const char *d2 = pki_tmpdir(p);
        pki_write_file(p, d2, "0123abcd.r0", pki_pem(p, k->root->x509));
        err = NULL;
        ok(amt_crl_add_dir(c, d2, p, &err) == AMT_ETRUST,
           "CRL path whose link holds a certificate, not a CRL, refused");
    }
}

static void test_verify(apr_pool_t *p, const certs_t *k,
                        const amt_trust_t *trust)
{
    const char *dir = pki_tmpdir(p);
    X509_CRL *root_crl = make_crl(p, k->root, -3600, 86400, k->inter_rev,
                                  NULL);
    X509_CRL *inter_crl = make_crl(p, k->inter, -3600, 86400, k->leaf_rev,
                                   NULL);
    X509_CRL *rev_crl = make_crl(p, k->inter_rev, -3600, 86400, NULL);
    X509_CRL *inter_old = make_crl(p, k->inter, -10 * 86400, -86400, NULL);
    X509_CRL *inter_future = make_crl(p, k->inter, 86400, 10 * 86400, NULL);
    const char *all = pki_write_file(p, dir, "all.pem",
        apr_pstrcat(p, crl_pem(p, root_crl), crl_pem(p, inter_crl),
                    crl_pem(p, rev_crl), NULL));
    const char *inter_only = pki_write_file(p, dir, "inter.pem",
                                            crl_pem(p, inter_crl));
    const char *expired = pki_write_file(p, dir, "expired.pem",
        apr_pstrcat(p, crl_pem(p, root_crl), crl_pem(p, inter_old), NULL));
    const char *future = pki_write_file(p, dir, "future.pem",
        apr_pstrcat(p, crl_pem(p, root_crl), crl_pem(p, inter_future), NULL));
    amt_crl_t *c_all = load(p, all, 0), *c_inter = load(p, inter_only, 0);
    amt_crl_t *c_exp = load(p, expired, 0), *c_fut = load(p, future, 0);
    X509 *good = k->leaf->x509, *rev = k->leaf_rev->x509;
    X509 *in = k->inter->x509;

    is_int(amt_crl_count(c_all), 3, "three CRLs in one file");

    /* chain: every certificate needs its issuer's CRL, the root's too */
    expect(verify(p, trust, c_all, AMT_CRL_CHECK_CHAIN, 0, 0, good, in),
           AMT_OUTCOME_SUCCESS, 0, -1, "chain, all CRLs, good leaf");
    expect(verify(p, trust, c_all, AMT_CRL_CHECK_CHAIN, 0, 0, rev, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_CERT_REVOKED, 0,
           "chain, revoked leaf");
    {
        amt_result_t r = verify(p, trust, c_all, AMT_CRL_CHECK_CHAIN, 0, 0,
                                rev, in);
        is_str(amt_result_string(p, &r), "FAILED:certificate revoked",
               "revoked leaf: SSL_CLIENT_VERIFY text");
    }
    expect(verify(p, trust, c_all, AMT_CRL_CHECK_CHAIN, 0, 0,
                  k->leaf_under_rev->x509, k->inter_rev->x509),
           AMT_OUTCOME_FAILED, X509_V_ERR_CERT_REVOKED, 1,
           "chain, revoked intermediate");
    expect(verify(p, trust, c_inter, AMT_CRL_CHECK_CHAIN, 0, 0, good, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_UNABLE_TO_GET_CRL, 1,
           "chain, no CRL from the root: unable to get certificate CRL");
    expect(verify(p, trust, c_inter, AMT_CRL_CHECK_CHAIN, 1, 0, good, in),
           AMT_OUTCOME_SUCCESS, 0, -1, "chain no_crl_for_cert_ok, good leaf");
    expect(verify(p, trust, c_inter, AMT_CRL_CHECK_CHAIN, 1, 0, rev, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_CERT_REVOKED, 0,
           "chain no_crl_for_cert_ok, revoked leaf still fails");
    /* leaf: only the leaf's issuer's CRL */
    expect(verify(p, trust, c_inter, AMT_CRL_CHECK_LEAF, 0, 0, good, in),
           AMT_OUTCOME_SUCCESS, 0, -1, "leaf, intermediate's CRL, good leaf");
    expect(verify(p, trust, c_inter, AMT_CRL_CHECK_LEAF, 0, 0, rev, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_CERT_REVOKED, 0,
           "leaf, revoked leaf");
    expect(verify(p, trust, c_inter, AMT_CRL_CHECK_LEAF, 0, 0,
                  k->leaf_under_rev->x509, k->inter_rev->x509),
           AMT_OUTCOME_FAILED, X509_V_ERR_UNABLE_TO_GET_CRL, 0,
           "leaf, leaf's issuer has no CRL");
    expect(verify(p, trust, c_all, AMT_CRL_CHECK_LEAF, 0, 0,
                  k->leaf_under_rev->x509, k->inter_rev->x509),
           AMT_OUTCOME_SUCCESS, 0, -1,
           "leaf mode does not look at the revoked intermediate");
    /* none: CRLs loaded but not consulted */
    expect(verify(p, trust, c_all, AMT_CRL_CHECK_NONE, 0, 0, rev, in),
           AMT_OUTCOME_SUCCESS, 0, -1, "none: revoked leaf passes");
    /* a check without any CRL fails closed */
    expect(verify(p, trust, NULL, AMT_CRL_CHECK_LEAF, 0, 0, good, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_UNABLE_TO_GET_CRL, 0,
           "leaf check without CRLs: unable to get certificate CRL");
    /* expired and not-yet-valid CRLs fail as in mod_ssl */
    {
        amt_result_t r = verify(p, trust, c_exp, AMT_CRL_CHECK_CHAIN, 0, 0,
                                good, in);
        expect(r, AMT_OUTCOME_FAILED, X509_V_ERR_CRL_HAS_EXPIRED, 0,
               "chain, expired CRL");
        is_str(amt_result_string(p, &r), "FAILED:CRL has expired",
               "expired CRL: SSL_CLIENT_VERIFY text");
    }
    expect(verify(p, trust, c_fut, AMT_CRL_CHECK_CHAIN, 0, 0, good, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_CRL_NOT_YET_VALID, 0,
           "chain, CRL not yet valid");
    /* optional_no_ca forgives no revocation error */
    expect(verify(p, trust, c_all, AMT_CRL_CHECK_CHAIN, 0, 1, rev, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_CERT_REVOKED, 0,
           "optional_no_ca, revoked leaf: FAILED, not GENEROUS");
    expect(verify(p, trust, c_exp, AMT_CRL_CHECK_CHAIN, 0, 1, good, in),
           AMT_OUTCOME_FAILED, X509_V_ERR_CRL_HAS_EXPIRED, 0,
           "optional_no_ca, expired CRL: FAILED");
    /* a foreign chain under optional_no_ca stays GENEROUS when its missing
     * CRL is forgiven */
    expect(verify(p, trust, c_all, AMT_CRL_CHECK_LEAF, 1, 1,
                  k->leaf_f->x509, NULL),
           AMT_OUTCOME_GENEROUS, 0, -1,
           "optional_no_ca + no_crl_for_cert_ok, foreign leaf: GENEROUS");

    /* hashed directory */
    {
        const char *cdir = pki_tmpdir(p);
        amt_crl_t *c_dir;

        pki_write_file(p, cdir, apr_pstrcat(p, pki_subject_hash(p,
                       k->root->x509), ".r0", NULL), crl_pem(p, root_crl));
        pki_write_file(p, cdir, apr_pstrcat(p, pki_subject_hash(p,
                       k->inter->x509), ".r0", NULL), crl_pem(p, inter_crl));
        pki_write_file(p, cdir, "README", "not a link\n");
        c_dir = load(p, cdir, 1);
        is_int(amt_crl_count(c_dir), 2, "CRL path: two hashed CRLs read");
        expect(verify(p, trust, c_dir, AMT_CRL_CHECK_CHAIN, 0, 0, rev, in),
               AMT_OUTCOME_FAILED, X509_V_ERR_CERT_REVOKED, 0,
               "CRL path, chain, revoked leaf");
        expect(verify(p, trust, c_dir, AMT_CRL_CHECK_CHAIN, 0, 0, good, in),
               AMT_OUTCOME_SUCCESS, 0, -1, "CRL path, chain, good leaf");
    }
}

/* key, same and not_after: the contract with the result cache */
static void test_policy(apr_pool_t *p, const certs_t *k,
                        const amt_trust_t *trust)
{
    const char *dir = pki_tmpdir(p);
    time_t now = time(NULL);
    X509_CRL *a1 = make_crl(p, k->inter, -3600, 7200, NULL);
    X509_CRL *a2 = make_crl(p, k->inter, -3600, 7200, k->leaf_rev, NULL);
    X509_CRL *r1 = make_crl(p, k->root, -3600, 3 * 86400, NULL);
    X509_CRL *nonext = make_crl(p, k->root, -3600, 0, NULL);
    X509_CRL *later = make_crl(p, k->inter, 1800, 9000, NULL);
    const char *fa = pki_write_file(p, dir, "a.pem",
        apr_pstrcat(p, crl_pem(p, r1), crl_pem(p, a1), NULL));
    const char *fb = pki_write_file(p, dir, "b.pem",
        apr_pstrcat(p, crl_pem(p, r1), crl_pem(p, a1), NULL));
    const char *fc = pki_write_file(p, dir, "c.pem",
        apr_pstrcat(p, crl_pem(p, r1), crl_pem(p, a2), NULL));
    const char *fn = pki_write_file(p, dir, "n.pem", crl_pem(p, nonext));
    const char *fl = pki_write_file(p, dir, "l.pem",
        apr_pstrcat(p, crl_pem(p, r1), crl_pem(p, later), NULL));
    amt_crl_t *ca = load(p, fa, 0), *cb = load(p, fb, 0);
    amt_crl_t *cc = load(p, fc, 0), *cn = load(p, fn, 0);
    amt_crl_t *cl = load(p, fl, 0);
    amt_policy_t pa = { .trust = trust, .depth = 5, .crl = ca,
                        .crl_check = AMT_CRL_CHECK_CHAIN };
    amt_policy_t pb, none = { .trust = trust, .depth = 5 };
    unsigned char ka[AMT_POLICY_MATERIAL_LEN], kb[AMT_POLICY_MATERIAL_LEN];
    unsigned char kn[AMT_POLICY_MATERIAL_LEN];
    time_t na;

    amt_policy_material(ka, &pa);
    amt_policy_material(kn, &none);
    pb = pa; pb.crl = cb;
    amt_policy_material(kb, &pb);
    ok(memcmp(ka, kb, sizeof(ka)) == 0,
       "key: two CRL sets from equal files give the same key");
    ok(memcmp(amt_crl_digest(ca), amt_crl_digest(cb), AMT_CRL_DIGEST_LEN)
       == 0, "digest: equal content, equal digest");
    ok(!amt_policy_same(&pa, &pb), "same: two CRL objects, two policies");
    ok(amt_policy_same(&pa, &pa), "same: a policy is itself");
    ok(memcmp(ka, kn, sizeof(ka)) != 0, "key: a CRL check changes the key");
    ok(!amt_policy_same(&pa, &none), "same: a CRL check is another policy");

    pb = pa; pb.crl = cc;
    amt_policy_material(kb, &pb);
    ok(memcmp(ka, kb, sizeof(ka)) != 0,
       "key: one more revoked serial changes the key");
    pb = pa; pb.crl_check = AMT_CRL_CHECK_LEAF;
    amt_policy_material(kb, &pb);
    ok(memcmp(ka, kb, sizeof(ka)) != 0 && !amt_policy_same(&pa, &pb),
       "key/same: leaf vs chain");
    pb = pa; pb.crl_no_crl_ok = 1;
    amt_policy_material(kb, &pb);
    ok(memcmp(ka, kb, sizeof(ka)) != 0 && !amt_policy_same(&pa, &pb),
       "key/same: no_crl_for_cert_ok");
    pb = pa; pb.crl = NULL;
    amt_policy_material(kb, &pb);
    ok(memcmp(ka, kb, sizeof(ka)) != 0 && !amt_policy_same(&pa, &pb),
       "key/same: a check without CRLs differs from one with");
    /* check none: the CRLs change no verdict, so neither key nor memo */
    pb = none; pb.crl = cc; pb.crl_check = AMT_CRL_CHECK_NONE;
    pb.crl_no_crl_ok = 1;
    amt_policy_material(kb, &pb);
    ok(memcmp(kn, kb, sizeof(kn)) == 0 && amt_policy_same(&none, &pb),
       "key/same: CRLs under check none are ignored");

    na = amt_policy_not_after(&pa);
    ok(na >= now + 7200 - 5 && na <= now + 7200 + 5,
       "not_after: the earliest nextUpdate (%ld s from now)",
       (long)(na - now));
    is_int((long long)amt_policy_not_after(&none), 0,
           "not_after: no CRL check, 0");
    pb = pa; pb.crl_check = AMT_CRL_CHECK_NONE;
    is_int((long long)amt_policy_not_after(&pb), 0,
           "not_after: CRLs under check none, 0");
    pb = pa; pb.crl = cn;
    is_int((long long)amt_policy_not_after(&pb), 0,
           "not_after: a CRL without nextUpdate, 0");
    pb = pa; pb.crl = cl;
    na = amt_policy_not_after(&pb);
    ok(na >= now + 1800 - 5 && na <= now + 1800 + 5,
       "not_after: a lastUpdate still ahead counts (%ld s from now)",
       (long)(na - now));
    is_int(amt_crl_expired_count(ca, now), 0, "expired count: none");
    is_int(amt_crl_expired_count(ca, now + 8000), 1,
           "expired count: one past nextUpdate later on");
}

typedef struct {
    const certs_t *k;
    const amt_trust_t *trust;
    const amt_crl_t *crl;
    apr_pool_t *pool;
    int wrong;
} worker_t;

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *data)
{
    worker_t *w = data;

    for (int i = 0; i < 150; i++) {
        apr_pool_t *sub;
        amt_result_t r1, r2;

        apr_pool_create(&sub, w->pool);
        r1 = verify(sub, w->trust, w->crl, AMT_CRL_CHECK_CHAIN, 0, 0,
                    w->k->leaf->x509, w->k->inter->x509);
        r2 = verify(sub, w->trust, w->crl, AMT_CRL_CHECK_CHAIN, 0, 0,
                    w->k->leaf_rev->x509, w->k->inter->x509);
        if (r1.outcome != AMT_OUTCOME_SUCCESS
            || r2.outcome != AMT_OUTCOME_FAILED
            || r2.x509_error != X509_V_ERR_CERT_REVOKED)
            w->wrong++;
        apr_pool_destroy(sub);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_threads(apr_pool_t *p, const certs_t *k,
                         const amt_trust_t *trust)
{
    enum { N = 4 };
    const char *dir = pki_tmpdir(p);
    X509_CRL *r = make_crl(p, k->root, -3600, 86400, NULL);
    X509_CRL *i = make_crl(p, k->inter, -3600, 86400, k->leaf_rev, NULL);
    amt_crl_t *c = load(p, pki_write_file(p, dir, "t.pem",
                        apr_pstrcat(p, crl_pem(p, r), crl_pem(p, i), NULL)),
                        0);
    worker_t w[N];
    apr_thread_t *t[N];
    int started = 0, wrong = 0;

    for (int n = 0; n < N; n++) {
        w[n].k = k;
        w[n].trust = trust;
        w[n].crl = c;
        w[n].wrong = 0;
        apr_pool_create(&w[n].pool, NULL);
        if (apr_thread_create(&t[n], NULL, worker, &w[n], p) == APR_SUCCESS)
            started++;
    }
    is_int(started, N, "threads: %d verifiers with CRLs started", N);
    for (int n = 0; n < started; n++) {
        apr_status_t trv;

        apr_thread_join(&trv, t[n]);
        wrong += w[n].wrong;
    }
    for (int n = 0; n < N; n++)
        apr_pool_destroy(w[n].pool);
    is_int(wrong, 0, "threads: every concurrent CRL verdict is right");
}

int main(void)
{
    apr_pool_t *p;
    amt_trust_t *trust = NULL;
    const char *err = NULL, *dir;
    certs_t k;

    apr_initialize();
    apr_pool_create(&p, NULL);
    amt_verify_init();

    k.root = pki_root(p, "CRL Root CA");
    k.inter = pki_intermediate(p, "CRL Intermediate CA", k.root);
    k.inter_rev = pki_intermediate(p, "CRL Revoked Intermediate CA", k.root);
    k.leaf = pki_leaf(p, "good", k.inter);
    k.leaf_rev = pki_leaf(p, "revoked", k.inter);
    k.leaf_under_rev = pki_leaf(p, "under-revoked-intermediate",
                                k.inter_rev);
    k.foreign = pki_root(p, "CRL Foreign Root CA");
    k.leaf_f = pki_leaf(p, "foreign", k.foreign);

    dir = pki_tmpdir(p);
    if (amt_trust_make(&trust, p) != APR_SUCCESS
        || amt_trust_add_file(trust, pki_write_file(p, dir, "ca.pem",
                              pki_pem(p, k.root->x509)), p, &err)
           != APR_SUCCESS)
        bail_out("cannot load the CA: %s", tap_escape(err));

    test_parse(p);
    test_load_errors(p, &k);
    test_verify(p, &k, trust);
    test_policy(p, &k, trust);
    test_threads(p, &k, trust);

    {
        int rc = done_testing();

        apr_pool_destroy(p);
        apr_terminate();
        return rc;
    }
}
