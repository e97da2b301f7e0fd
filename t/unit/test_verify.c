/*
 * test_verify.c - trust anchors (amt_trust_*) and chain verification
 * (amt_verify_chain) with mod_ssl's depth and optional_no_ca semantics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <openssl/x509_vfy.h>

#include "amt_chain.h"
#include "amt_error.h"
#include "amt_trust.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"
#include "amt_inspect.h"

/* OpenSSL 3.0 reworded two verification errors: the module (like mod_ssl)
 * reports OpenSSL's own text */
#if OPENSSL_VERSION_NUMBER < 0x30000000L
#define TXT_SELF_SIGNED "self signed certificate"
#define TXT_PURPOSE     "unsupported certificate purpose"
#else
#define TXT_SELF_SIGNED "self-signed certificate"
#define TXT_PURPOSE     "unsuitable certificate purpose"
#endif

#define MAXC 4

typedef struct {
    pki_cert_t *root, *inter, *inter2, *foreign, *forged_root;
    pki_cert_t *leaf_i, *leaf_r, *leaf_deep, *expired, *notyet, *expired_r;
    pki_cert_t *leaf_f, *leaf_forged, *selfsigned, *server_only, *no_eku;
    X509 *tampered;
} certs_t;

/* Parses the header an ALB would send for certs[] and verifies it. */
static amt_result_t run_verify(apr_pool_t *p, const amt_trust_t *trust,
                               int depth, int no_ca_ok, X509 *const *certs,
                               time_t at)
{
    amt_policy_t policy = { .trust = trust, .depth = depth, .no_ca_ok = no_ca_ok };
    amt_result_t res = { AMT_OUTCOME_NONE, -12345, -12345, NULL, 0, AMT_FAIL_NONE };
    amt_chain_t *chain = NULL;
    const char *reason = NULL;
    const char *pem = "";
    apr_status_t rv;
    int nsent;

    for (int i = 0; i < MAXC && certs[i] != NULL; i++)
        pem = apr_pstrcat(p, pem, pki_pem(p, certs[i]), NULL);
    rv = amt_chain_from_header(&chain, p, pki_alb_encode(p, pem), &reason);
    if (rv != APR_SUCCESS || chain == NULL) {
        diag("chain did not parse: %s", tap_escape(reason));
        res.outcome = (amt_outcome_e)-1;
        return res;
    }
    nsent = sk_X509_num(chain->sent);
    rv = amt_verify_chain(&res, p, &policy, chain, at);
    if (rv != APR_SUCCESS)
        diag("amt_verify_chain returned %s", amt_strerror(p, rv));
    if (sk_X509_num(chain->sent) != nsent) {
        diag("verification changed chain->sent");
        res.outcome = (amt_outcome_e)-2;
    }
    return res;
}

typedef struct {
    const char *name;
    X509 *certs[MAXC];        /* header content, leaf first */
    int depth;
    int no_ca_ok;
    long at_offset;           /* seconds from now; 0: verify "now" (at=0) */
    amt_outcome_e outcome;
    int x509_error;           /* checked when outcome is FAILED */
    const char *text;         /* amt_result_string() (NULL: not checked) */
    int error_depth;          /* -2: not checked */
} verify_case_t;

static void run_case(apr_pool_t *p, const amt_trust_t *trust,
                     const verify_case_t *c)
{
    time_t at = c->at_offset ? time(NULL) + c->at_offset : 0;
    amt_result_t res = run_verify(p, trust, c->depth, c->no_ca_ok, c->certs,
                                  at);
    const char *s;

    if (!is_int(res.outcome, c->outcome, "%s: outcome", c->name))
        diag("x509_error %d, reason %s", res.x509_error,
             tap_escape(res.reason));
    if (c->outcome == AMT_OUTCOME_FAILED) {
        is_int(res.x509_error, c->x509_error, "%s: x509_error", c->name);
        ok(res.reason != NULL && *res.reason != '\0', "%s: has a reason",
           c->name);
    }
    else if (c->outcome == AMT_OUTCOME_SUCCESS
             || c->outcome == AMT_OUTCOME_GENEROUS) {
        ok(res.reason == NULL, "%s: no reason", c->name);
    }
    if (c->error_depth != -2)
        is_int(res.error_depth, c->error_depth, "%s: error_depth", c->name);
    if (c->text != NULL) {
        s = amt_result_string(p, &res);
        is_str(s, c->text, "%s: result string", c->name);
    }
}

static void make_certs(apr_pool_t *p, certs_t *k)
{
    pki_spec_t spec;

    k->root = pki_root(p, "Verify Root CA");
    k->inter = pki_intermediate(p, "Verify Intermediate CA", k->root);
    k->inter2 = pki_intermediate(p, "Verify Second Intermediate CA",
                                 k->inter);
    k->foreign = pki_root(p, "Foreign Root CA");
    /* same subject as the trusted root, other key: an attacker's copy */
    k->forged_root = pki_root(p, "Verify Root CA");

    k->leaf_i = pki_leaf(p, "leaf-under-intermediate", k->inter);
    k->leaf_r = pki_leaf(p, "leaf-under-root", k->root);
    k->leaf_deep = pki_leaf(p, "leaf-under-two-intermediates", k->inter2);
    k->leaf_f = pki_leaf(p, "leaf-under-foreign", k->foreign);
    k->leaf_forged = pki_leaf(p, "leaf-under-forged-root", k->forged_root);
    k->selfsigned = pki_leaf(p, "self-signed-leaf", NULL);

    memset(&spec, 0, sizeof(spec));
    spec.cn = "expired";
    spec.validity_set = 1;
    spec.not_before = -10L * 86400;
    spec.not_after = -86400L;
    k->expired = pki_issue(p, &spec, k->inter);
    spec.cn = "expired-under-root";
    k->expired_r = pki_issue(p, &spec, k->root);

    spec.cn = "not-yet-valid";
    spec.not_before = 86400L;
    spec.not_after = 10L * 86400;
    k->notyet = pki_issue(p, &spec, k->inter);

    memset(&spec, 0, sizeof(spec));
    spec.cn = "server-only";
    spec.eku = PKI_EKU_SERVER;
    k->server_only = pki_issue(p, &spec, k->inter);
    spec.cn = "no-eku";
    spec.eku = PKI_EKU_NONE;
    k->no_eku = pki_issue(p, &spec, k->inter);

    k->tampered = pki_tamper(p, k->leaf_i->x509);
}

static void test_verify_cases(apr_pool_t *p, const certs_t *k,
                              const amt_trust_t *trust)
{
    const verify_case_t cases[] = {
        { "good chain (leaf + intermediate)",
          { k->leaf_i->x509, k->inter->x509 }, 5, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "good chain with the trusted root sent too",
          { k->leaf_i->x509, k->inter->x509, k->root->x509 }, 5, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "leaf signed directly by the CA",
          { k->leaf_r->x509 }, 5, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "leaf without EKU", { k->no_eku->x509, k->inter->x509 }, 5, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "expired",
          { k->expired->x509, k->inter->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_HAS_EXPIRED,
          "FAILED:certificate has expired", 0 },
        { "not yet valid",
          { k->notyet->x509, k->inter->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_NOT_YET_VALID,
          "FAILED:certificate is not yet valid", 0 },
        { "good chain verified 400 days ahead (at)",
          { k->leaf_i->x509, k->inter->x509 }, 5, 0, 400L * 86400,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_HAS_EXPIRED,
          "FAILED:certificate has expired", -2 },
        { "good chain verified 2 days back (at)",
          { k->leaf_i->x509, k->inter->x509 }, 5, 0, -2L * 86400,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_NOT_YET_VALID,
          "FAILED:certificate is not yet valid", -2 },
        { "foreign CA",
          { k->leaf_f->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
          "FAILED:unable to get local issuer certificate", 0 },
        { "foreign root sent in the header is no anchor",
          { k->leaf_f->x509, k->foreign->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
          "FAILED:" TXT_SELF_SIGNED " in certificate chain", -2 },
        { "self-signed leaf",
          { k->selfsigned->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
          "FAILED:" TXT_SELF_SIGNED, 0 },
        { "missing intermediate",
          { k->leaf_i->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
          "FAILED:unable to get local issuer certificate", 0 },
        { "intermediates in the wrong order",
          { k->leaf_deep->x509, k->inter->x509, k->inter2->x509 }, 5, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "serverAuth-only EKU",
          { k->server_only->x509, k->inter->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_INVALID_PURPOSE,
          "FAILED:" TXT_PURPOSE, 0 },
        { "tampered signature",
          { k->tampered, k->inter->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_SIGNATURE_FAILURE,
          "FAILED:certificate signature failure", 0 },
        { "leaf + forged root with the trusted root's name",
          { k->leaf_forged->x509, k->forged_root->x509 }, 5, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, NULL, -2 },
        /* depth: leaf = 0, the anchor counts */
        { "depth 1, leaf under the root",
          { k->leaf_r->x509 }, 1, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "depth 1, leaf under an intermediate",
          { k->leaf_i->x509, k->inter->x509 }, 1, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_CHAIN_TOO_LONG,
          "FAILED:certificate chain too long", -2 },
        { "depth 2, leaf under an intermediate",
          { k->leaf_i->x509, k->inter->x509 }, 2, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "depth 0, leaf under the root",
          { k->leaf_r->x509 }, 0, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_CHAIN_TOO_LONG,
          "FAILED:certificate chain too long", -2 },
        { "depth 2, two intermediates",
          { k->leaf_deep->x509, k->inter2->x509, k->inter->x509 }, 2, 0, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_CHAIN_TOO_LONG,
          "FAILED:certificate chain too long", -2 },
        { "depth 3, two intermediates",
          { k->leaf_deep->x509, k->inter2->x509, k->inter->x509 }, 3, 0, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        /* optional_no_ca */
        { "no_ca_ok: good chain",
          { k->leaf_i->x509, k->inter->x509 }, 5, 1, 0,
          AMT_OUTCOME_SUCCESS, 0, "SUCCESS", -2 },
        { "no_ca_ok: foreign CA",
          { k->leaf_f->x509 }, 5, 1, 0,
          AMT_OUTCOME_GENEROUS, 0, "GENEROUS", -2 },
        { "no_ca_ok: foreign root in the header",
          { k->leaf_f->x509, k->foreign->x509 }, 5, 1, 0,
          AMT_OUTCOME_GENEROUS, 0, "GENEROUS", -2 },
        { "no_ca_ok: self-signed leaf",
          { k->selfsigned->x509 }, 5, 1, 0,
          AMT_OUTCOME_GENEROUS, 0, "GENEROUS", -2 },
        { "no_ca_ok: missing intermediate",
          { k->leaf_i->x509 }, 5, 1, 0,
          AMT_OUTCOME_GENEROUS, 0, "GENEROUS", -2 },
        { "no_ca_ok: expired under the trusted root",
          { k->expired_r->x509 }, 5, 1, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_HAS_EXPIRED,
          "FAILED:certificate has expired", 0 },
        { "no_ca_ok: expired under the intermediate",
          { k->expired->x509, k->inter->x509 }, 5, 1, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_HAS_EXPIRED,
          "FAILED:certificate has expired", 0 },
        { "no_ca_ok: tampered signature",
          { k->tampered, k->inter->x509 }, 5, 1, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_SIGNATURE_FAILURE,
          "FAILED:certificate signature failure", 0 },
        { "no_ca_ok: serverAuth-only EKU",
          { k->server_only->x509, k->inter->x509 }, 5, 1, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_INVALID_PURPOSE,
          "FAILED:" TXT_PURPOSE, 0 },
        { "no_ca_ok: chain too long",
          { k->leaf_i->x509, k->inter->x509 }, 1, 1, 0,
          AMT_OUTCOME_FAILED, X509_V_ERR_CERT_CHAIN_TOO_LONG,
          "FAILED:certificate chain too long", -2 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(p, trust, &cases[i]);
}

static void test_result_helpers(apr_pool_t *p)
{
    amt_result_t res = { AMT_OUTCOME_NONE, 0, -1, NULL, 0, AMT_FAIL_NONE };
    const int no_ca[] = { 18, 19, 20, 21, 27 };
    const int other[] = { 0, 2, 3, 7, 9, 10, 22, 23, 26, 28 };
    const amt_failure_e other_class[] = {
        AMT_FAIL_OTHER, AMT_FAIL_UNTRUSTED, AMT_FAIL_OTHER, AMT_FAIL_OTHER,
        AMT_FAIL_NOT_YET_VALID, AMT_FAIL_EXPIRED, AMT_FAIL_CHAIN_TOO_LONG,
        AMT_FAIL_REVOKED, AMT_FAIL_OTHER, AMT_FAIL_OTHER
    };

    is_str(amt_result_string(p, &res), "NONE", "result string NONE");
    res.outcome = AMT_OUTCOME_SUCCESS;
    is_str(amt_result_string(p, &res), "SUCCESS", "result string SUCCESS");
    res.outcome = AMT_OUTCOME_GENEROUS;
    is_str(amt_result_string(p, &res), "GENEROUS", "result string GENEROUS");

    memset(&res, 0, sizeof(res));
    res.x509_error = 99;
    amt_result_fail(&res, AMT_FAIL_MALFORMED,
                    "malformed header: bad percent-escape");
    is_int(res.outcome, AMT_OUTCOME_FAILED, "amt_result_fail: FAILED");
    is_int(res.failure, AMT_FAIL_MALFORMED, "amt_result_fail: its class");
    is_int(res.x509_error, 0, "amt_result_fail: x509_error 0");
    is_str(res.reason, "malformed header: bad percent-escape",
           "amt_result_fail: reason");
    is_str(amt_result_string(p, &res),
           "FAILED:malformed header: bad percent-escape",
           "result string FAILED:<reason>");

    for (size_t i = 0; i < sizeof(no_ca) / sizeof(no_ca[0]); i++)
        is_int(amt_failure_of_x509(no_ca[i]), AMT_FAIL_UNTRUSTED,
               "error %d (optional_no_ca tolerates it) is Untrusted",
               no_ca[i]);
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        is_int(amt_failure_of_x509(other[i]), other_class[i],
               "error %d is %s", other[i], amt_failure_name(other_class[i]));
    is_str(amt_failure_name(AMT_FAIL_CONFIG), "Config",
           "failure name: Config");
    is_str(amt_failure_name(AMT_FAIL_COUNT), "Other",
           "failure name: out of range is Other");
}

/* amt_trust_add_file must fail with AMT_ETRUST and name the path */
static void expect_file_fails(apr_pool_t *p, const char *path,
                              const char *name)
{
    amt_trust_t *t = NULL;
    const char *err = NULL;

    amt_trust_make(&t, p);
    is_int(amt_trust_add_file(t, path, p, &err), AMT_ETRUST,
           "trust file %s: AMT_ETRUST", name);
    contains_str(err, path, "trust file %s: message names the path", name);
    is_int(amt_trust_count(t), 0, "trust file %s: nothing counted", name);
}

static void expect_dir_fails(apr_pool_t *p, const char *path,
                             const char *name)
{
    amt_trust_t *t = NULL;
    const char *err = NULL;

    amt_trust_make(&t, p);
    is_int(amt_trust_add_dir(t, path, p, &err), AMT_ETRUST,
           "trust dir %s: AMT_ETRUST", name);
    contains_str(err, path, "trust dir %s: message names the path", name);
}

static void test_trust(apr_pool_t *p, const certs_t *k)
{
    const char *dir = pki_tmpdir(p);
    const char *hashdir = apr_pstrcat(p, dir, "/hashed", NULL);
    const char *plaindir = apr_pstrcat(p, dir, "/plain", NULL);
    const char *two, *one, *inter_only, *root_inter;
    amt_trust_t *t = NULL;
    const char *err = NULL;
    X509 *good[MAXC] = { k->leaf_i->x509, k->inter->x509 };
    X509 *leaf_only[MAXC] = { k->leaf_i->x509 };
    X509 *foreign[MAXC] = { k->leaf_f->x509 };
    amt_result_t res;

    expect_file_fails(p, apr_pstrcat(p, dir, "/missing.pem", NULL),
                      "missing");
    expect_file_fails(p, dir, "directory");
    expect_file_fails(p, pki_write_file(p, dir, "empty.pem", ""), "empty");
    expect_file_fails(p, pki_write_file(p, dir, "key.pem",
                                        pki_key_pem(p, k->leaf_i->key)),
                      "private key only");
    expect_file_fails(p, pki_write_file(p, dir, "text.pem",
                                        "just some text\n"), "not PEM");

    if (geteuid() != 0) {
        const char *locked = pki_write_file(p, dir, "locked.pem",
                                            pki_pem(p, k->root->x509));

        chmod(locked, 0);
        expect_file_fails(p, locked, "unreadable");
    }
    else {
        skip(3, "root reads files whatever their mode");
    }

    two = pki_write_file(p, dir, "two.pem",
                         pki_pem_chain(p, k->root->x509, k->foreign->x509,
                                       NULL));
    one = pki_write_file(p, dir, "one.pem", pki_pem(p, k->root->x509));
    is_int(amt_trust_make(&t, p), APR_SUCCESS, "trust: make");
    ok(t != NULL && amt_trust_is_empty(t), "trust: a new store is empty");
    ok(t != NULL && amt_trust_store(t) != NULL, "trust: has an X509_STORE");
    is_int(amt_trust_add_file(t, two, p, &err), APR_SUCCESS,
           "trust: file with two CAs loads");
    is_int(amt_trust_count(t), 2, "trust: counts 2 certificates");
    ok(!amt_trust_is_empty(t), "trust: not empty after a file");
    is_int(amt_trust_add_file(t, one, p, &err), APR_SUCCESS,
           "trust: a second file adds up");
    is_int(amt_trust_count(t), 3, "trust: counts 3 certificates");
    /* a CA file of the intermediate only: no partial chains (code 2) */
    inter_only = pki_write_file(p, dir, "inter.pem",
                                pki_pem(p, k->inter->x509));
    t = NULL;
    amt_trust_make(&t, p);
    amt_trust_add_file(t, inter_only, p, &err);
    res = run_verify(p, t, 5, 0, good, 0);
    is_int(res.outcome, AMT_OUTCOME_FAILED,
           "trust intermediate only: FAILED");
    is_int(res.x509_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
           "trust intermediate only: error 2");
    is_str(amt_result_string(p, &res),
           "FAILED:unable to get issuer certificate",
           "trust intermediate only: text");

    /* the whole chain, root included, sent to a server that trusts only
     * another CA: the root from the header is not an anchor */
    t = NULL;
    amt_trust_make(&t, p);
    amt_trust_add_file(t, pki_write_file(p, dir, "foreign.pem",
                                         pki_pem(p, k->foreign->x509)),
                       p, &err);
    {
        X509 *full[MAXC] = { k->leaf_i->x509, k->inter->x509,
                             k->root->x509 };

        res = run_verify(p, t, 5, 0, full, 0);
        is_int(res.outcome, AMT_OUTCOME_FAILED,
               "trust other CA, root sent in the header: FAILED");
        is_int(res.x509_error, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
               "trust other CA, root sent in the header: error 19");
    }

    /* root + intermediate in the CA file: the leaf alone verifies */
    root_inter = pki_write_file(p, dir, "rootinter.pem",
                                pki_pem_chain(p, k->root->x509,
                                              k->inter->x509, NULL));
    t = NULL;
    amt_trust_make(&t, p);
    amt_trust_add_file(t, root_inter, p, &err);
    is_int(amt_trust_count(t), 2, "trust root+intermediate: 2");
    res = run_verify(p, t, 5, 0, leaf_only, 0);
    is_int(res.outcome, AMT_OUTCOME_SUCCESS,
           "trust root+intermediate: leaf alone SUCCESS");

    /* hashed directories */
    mkdir(plaindir, 0700);
    mkdir(hashdir, 0700);
    pki_write_file(p, plaindir, "root.pem", pki_pem(p, k->root->x509));
    pki_write_file(p, plaindir, "README", "no hash links here\n");
    expect_dir_fails(p, plaindir, "without hash links");
    expect_dir_fails(p, apr_pstrcat(p, dir, "/nodir", NULL), "missing");
    expect_dir_fails(p, one, "a file");

    pki_write_file(p, hashdir,
                   apr_pstrcat(p, pki_subject_hash(p, k->root->x509), ".0",
                               NULL),
                   pki_pem(p, k->root->x509));
    ok(strlen(pki_subject_hash(p, k->root->x509)) == 8
       && X509_subject_name_hash(k->root->x509)
          == strtoul(pki_subject_hash(p, k->root->x509), NULL, 16),
       "hash link name is X509_subject_name_hash");
    t = NULL;
    amt_trust_make(&t, p);
    is_int(amt_trust_add_dir(t, hashdir, p, &err), APR_SUCCESS,
           "trust dir with a hash link: loads");
    if (err != NULL && amt_trust_is_empty(t))
        diag("err: %s", err);
    ok(!amt_trust_is_empty(t), "trust dir: store not empty");
    is_int(amt_trust_count(t), 0, "trust dir: directories are not counted");
    res = run_verify(p, t, 5, 0, good, 0);
    is_str(amt_result_string(p, &res), "SUCCESS",
           "trust dir: good chain verifies");
    res = run_verify(p, t, 5, 0, foreign, 0);
    is_int(res.x509_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
           "trust dir: foreign leaf fails with 20");
}

/* Several threads verify against one shared trust store at once; every
 * verdict must be the one a single thread gets. */
typedef struct {
    apr_pool_t *pool;
    const certs_t *k;
    const amt_trust_t *trust;
    int wrong;
} worker_t;

static void *APR_THREAD_FUNC verify_worker(apr_thread_t *thd, void *data)
{
    worker_t *w = data;
    X509 *good[MAXC] = { w->k->leaf_i->x509, w->k->inter->x509 };
    X509 *expired[MAXC] = { w->k->expired->x509, w->k->inter->x509 };
    X509 *foreign[MAXC] = { w->k->leaf_f->x509 };

    for (int i = 0; i < 30; i++) {
        apr_pool_t *it;
        amt_result_t r;

        apr_pool_create(&it, w->pool);
        switch (i % 3) {
        case 0:
            r = run_verify(it, w->trust, 5, 0, good, 0);
            w->wrong += r.outcome != AMT_OUTCOME_SUCCESS;
            break;
        case 1:
            r = run_verify(it, w->trust, 5, 0, expired, 0);
            w->wrong += r.x509_error != X509_V_ERR_CERT_HAS_EXPIRED;
            break;
        default:
            r = run_verify(it, w->trust, 5, 1, foreign, 0);
            w->wrong += r.outcome != AMT_OUTCOME_GENEROUS;
            break;
        }
        apr_pool_destroy(it);
    }
    apr_thread_exit(thd, APR_SUCCESS);
    return NULL;
}

static void test_threads(apr_pool_t *p, const certs_t *k,
                         const amt_trust_t *trust)
{
    enum { NTHREADS = 4 };
    worker_t w[NTHREADS];
    apr_thread_t *t[NTHREADS];
    int started = 0, wrong = 0;

    for (int i = 0; i < NTHREADS; i++) {
        w[i].k = k;
        w[i].trust = trust;
        w[i].wrong = 0;
        apr_pool_create(&w[i].pool, NULL);
        if (apr_thread_create(&t[i], NULL, verify_worker, &w[i], p)
            == APR_SUCCESS)
            started++;
    }
    is_int(started, NTHREADS, "threads: %d verifiers started", NTHREADS);
    for (int i = 0; i < started; i++) {
        apr_status_t trv;

        apr_thread_join(&trv, t[i]);
        wrong += w[i].wrong;
    }
    for (int i = 0; i < NTHREADS; i++)
        apr_pool_destroy(w[i].pool);
    is_int(wrong, 0, "threads: every concurrent verdict is right");
}

/* The cache key of a policy follows content, not objects. */
static void test_policy_key(apr_pool_t *p, const certs_t *k,
                            const char *cafile)
{
    amt_trust_t *a = NULL, *b = NULL, *c = NULL, *e = NULL;
    const char *err = NULL, *dir = pki_tmpdir(p);
    const char *other = pki_write_file(p, dir, "other.pem",
                                       pki_pem(p, k->foreign->x509));
    const char *both = pki_write_file(p, dir, "both.pem",
                                      apr_pstrcat(p,
                                                  pki_pem(p, k->root->x509),
                                                  pki_pem(p, k->foreign->x509),
                                                  NULL));
    unsigned char ka[AMT_POLICY_MATERIAL_LEN], kb[AMT_POLICY_MATERIAL_LEN];
    unsigned char kx[AMT_POLICY_MATERIAL_LEN];
    amt_policy_t pa, pb;

    if (amt_trust_make(&a, p) != APR_SUCCESS
        || amt_trust_make(&b, p) != APR_SUCCESS
        || amt_trust_make(&c, p) != APR_SUCCESS
        || amt_trust_make(&e, p) != APR_SUCCESS
        || amt_trust_add_file(a, cafile, p, &err) != APR_SUCCESS
        || amt_trust_add_file(b, cafile, p, &err) != APR_SUCCESS
        || amt_trust_add_file(c, both, p, &err) != APR_SUCCESS
        || amt_trust_add_file(e, other, p, &err) != APR_SUCCESS)
        bail_out("policy key: cannot load CA files: %s", tap_escape(err));

    memset(&pa, 0, sizeof(pa));
    pa.trust = a; pa.depth = 5; pa.no_ca_ok = 0;
    pb = pa; pb.trust = b;
    amt_policy_material(ka, &pa);
    amt_policy_material(kb, &pb);
    ok(memcmp(ka, kb, sizeof(ka)) == 0,
       "policy key: two stores from the same file give the same key");
    ok(!amt_policy_same(&pa, &pb),
       "policy same: two store objects are two policies for the memo");
    ok(amt_policy_same(&pa, &pa), "policy same: a policy is itself");
    ok(memcmp(amt_trust_digest(a), amt_trust_digest(b),
              AMT_TRUST_DIGEST_LEN) == 0, "trust digest: same content, same digest");

    pb.trust = c;
    amt_policy_material(kx, &pb);
    ok(memcmp(ka, kx, sizeof(ka)) != 0,
       "policy key: one more anchor changes the key");
    pb.trust = e;
    amt_policy_material(kx, &pb);
    ok(memcmp(ka, kx, sizeof(ka)) != 0,
       "policy key: another CA changes the key");
    pb = pa; pb.depth = 4;
    amt_policy_material(kx, &pb);
    ok(memcmp(ka, kx, sizeof(ka)) != 0 && !amt_policy_same(&pa, &pb),
       "policy key: the depth changes the key");
    pb = pa; pb.no_ca_ok = 1;
    amt_policy_material(kx, &pb);
    ok(memcmp(ka, kx, sizeof(ka)) != 0 && !amt_policy_same(&pa, &pb),
       "policy key: optional_no_ca changes the key");
    pb = pa; pb.trust = NULL;
    amt_policy_material(kx, &pb);
    ok(memcmp(ka, kx, sizeof(ka)) != 0,
       "policy key: no store differs from a store");
    is_int((long long)amt_policy_not_after(&pa), 0,
           "policy not_after: no CRL, no expiry of its own");
}

int main(void)
{
    apr_pool_t *p;
    amt_trust_t *trust = NULL;
    const char *err = NULL;
    const char *dir, *cafile;
    certs_t k;

    apr_initialize();
    apr_pool_create(&p, NULL);

    make_certs(p, &k);
    dir = pki_tmpdir(p);
    cafile = pki_write_file(p, dir, "ca.pem", pki_pem(p, k.root->x509));
    if (amt_trust_make(&trust, p) != APR_SUCCESS
        || amt_trust_add_file(trust, cafile, p, &err) != APR_SUCCESS)
        bail_out("cannot load the test CA file: %s", tap_escape(err));

    test_verify_cases(p, &k, trust);
    test_result_helpers(p);
    test_trust(p, &k);
    test_threads(p, &k, trust);
    test_policy_key(p, &k, cafile);

    {
        int rc = done_testing();

        apr_pool_destroy(p);
        apr_terminate();
        return rc;
    }
}
