/*
 * test_entry.c - cached verification results (amt_entry.h): a hit must
 * publish exactly what a miss publishes (every AlbMtlsOptions combination,
 * both DN formats, before and after serialisation), lookups must agree
 * with amt_var_lookup(), expiry must follow the chain's validity and the
 * policy, and hostile serialised data must be refused without harm.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "amt_chain.h"
#include "amt_entry.h"
#include "amt_error.h"
#include "amt_trust.h"
#include "amt_vars.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"

static const pki_rdn_t subject[] = {
    { "C", "US", 0, 0, 0 },
    { "O", "Acme, Inc.", 0, 0, 0 },
    { "OU", "Dev", 0, 0, 0 },
    { "OU", "Ops", 0, 0, 0 },
    { "CN", "J\xc3\xb6hn +<x>", 0, 0, 0 },
    { "emailAddress", "john@example.com", 0, 0, 0 },
    { NULL, NULL, 0, 0, 0 }
};

static unsigned char key1[AMT_ENTRY_KEY_LEN];

/* same keys and values, whatever the order */
static int same_table(const apr_table_t *a, const apr_table_t *b,
                      const char *what)
{
    const apr_array_header_t *ea = apr_table_elts(a);
    const apr_table_entry_t *ta = (const apr_table_entry_t *)ea->elts;
    int i, good = apr_table_elts(b)->nelts == ea->nelts;

    if (!good) {
        printf("# %s: %d vs %d variables\n", what, ea->nelts,
               apr_table_elts(b)->nelts);
    }
    for (i = 0; i < ea->nelts; i++) {
        const char *v = apr_table_get(b, ta[i].key);
        if (v == NULL || strcmp(v, ta[i].val) != 0) {
            printf("# %s: %s differs: '%s' vs '%s'\n", what, ta[i].key,
                   ta[i].val, v ? v : "(missing)");
            good = 0;
        }
    }
    return good;
}

static amt_entry_t *round_trip(apr_pool_t *p, const amt_entry_t *e)
{
    unsigned char *buf;
    apr_size_t len;
    amt_entry_t *back = NULL;
    const char *why = NULL;

    if (amt_entry_encode(&buf, &len, p, e) != APR_SUCCESS) return NULL;
    if (amt_entry_decode(&back, p, e->key, buf, len, &why) != APR_SUCCESS) {
        printf("# decode refused its own entry: %s\n", why);
        return NULL;
    }
    return back;
}

static void check_equivalence(apr_pool_t *p, const amt_client_cert_t *client,
                              const char *label)
{
    amt_entry_t *e, *lean, *back;
    time_t now = time(NULL);
    int flags, i;

    ok(amt_entry_make(&e, p, key1, client, now + 300, 1, 256) == APR_SUCCESS,
       "%s: entry made", label);
    amt_entry_make(&lean, p, key1, client, now + 300, 0, 256);
    back = round_trip(p, e);
    ok(back != NULL, "%s: serialisation round trip", label);
    if (back == NULL) return;
    is_int(back->nvars, e->nvars, "%s: same variable count after the trip",
           label);
    is_str(back->subject_cn, e->subject_cn, "%s: subject CN kept", label);
    is_str(back->log_subject, e->log_subject, "%s: log subject kept", label);
    is_str(amt_result_string(p, &back->result),
           amt_result_string(p, &client->result), "%s: result kept", label);

    for (flags = 0; flags < 8; flags++) {
        apr_table_t *want = apr_table_make(p, 8), *got = apr_table_make(p, 8);
        apr_table_t *got2 = apr_table_make(p, 8);
        amt_vars_export(want, p, client, flags);
        ok(amt_entry_export(got, p, e, flags, now) == APR_SUCCESS
           && same_table(want, got, "entry") && same_table(got, want, "entry"),
           "%s: export flags %d identical from the entry", label, flags);
        ok(amt_entry_export(got2, p, back, flags, now) == APR_SUCCESS
           && same_table(want, got2, "decoded")
           && same_table(got2, want, "decoded"),
           "%s: export flags %d identical after serialisation", label, flags);
        if ((flags & AMT_OPT_EXPORT_CERT_DATA) && amt_entry_is_verified(e)) {
            apr_table_t *none = apr_table_make(p, 8);
            ok(amt_entry_export(none, p, lean, flags, now) == APR_INCOMPLETE
               && apr_table_elts(none)->nelts == 0,
               "%s: flags %d: entry without cert data says incomplete",
               label, flags);
        }
        else {
            apr_table_t *t = apr_table_make(p, 8);
            amt_entry_export(t, p, lean, flags, now);
            ok(same_table(want, t, "lean") && same_table(t, want, "lean"),
               "%s: flags %d identical from an entry without cert data",
               label, flags);
        }
    }

    /* every exported name (both DN formats) answers as amt_var_lookup */
    for (flags = 0; flags <= AMT_OPT_LEGACY_DN_FORMAT; flags += AMT_OPT_LEGACY_DN_FORMAT) {
        apr_table_t *all = apr_table_make(p, 8);
        const apr_array_header_t *arr;
        const apr_table_entry_t *te;
        int bad = 0, n = 0;
        amt_vars_export(all, p, client, AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA | flags);
        arr = apr_table_elts(all);
        te = (const apr_table_entry_t *)arr->elts;
        for (i = 0; i < arr->nelts; i++) {
            int answered;
            const char *v = amt_entry_var(p, back, te[i].key, flags, now,
                                          &answered);
            const char *w = amt_var_lookup(p, client, te[i].key, flags);
            n++;
            if (!answered || v == NULL || w == NULL || strcmp(v, w) != 0) {
                printf("# lookup %s: entry '%s' (answered %d), vars '%s'\n",
                       te[i].key, v ? v : "(NULL)", answered,
                       w ? w : "(NULL)");
                bad++;
            }
        }
        ok(bad == 0 && n > 0, "%s: %d exported names (flags %d) answered "
           "from the entry as amt_var_lookup answers", label, n, flags);
    }
}

static void test_lookups_not_stored(apr_pool_t *p,
                                    const amt_client_cert_t *client)
{
    amt_entry_t *e;
    time_t now = time(NULL);
    int answered;
    const char *v;
    static const char *const unstored[] = {
        "SSL_CLIENT_S_DN_CN_RAW", "ssl_client_s_dn_CN", "SSL_CLIENT_S_DN_OU_0",
        "SSL_CLIENT_S_DN_SP", "SSL_CLIENT_s_DN", NULL
    };
    int i;

    amt_entry_make(&e, p, key1, client, now + 300, 1, 256);
    for (i = 0; unstored[i]; i++) {
        v = amt_entry_var(p, e, unstored[i], 0, now, &answered);
        ok(!answered && v == NULL, "%s: not answered from the entry (the "
           "caller parses)", unstored[i]);
    }
    v = amt_entry_var(p, e, "ssl_client_verify", 0, now, &answered);
    ok(answered && v && strcmp(v, "SUCCESS") == 0,
       "SSL_CLIENT_VERIFY in any case from the entry");
    v = amt_entry_var(p, e, "HTTP_HOST", 0, now, &answered);
    ok(answered && v == NULL, "a non-SSL_CLIENT name is answered NULL");
    v = amt_entry_var(p, e, "SSL_CLIENT_V_REMAIN", 0, now + 3 * 86400,
                      &answered);
    {
        const char *today = amt_entry_var(p, e, "SSL_CLIENT_V_REMAIN", 0, now,
                                          &answered);
        ok(answered && v && today && atoi(today) - atoi(v) == 3,
           "SSL_CLIENT_V_REMAIN follows the clock (%s today, %s in 3 days)",
           today ? today : "NULL", v ? v : "NULL");
    }
    v = amt_entry_var(p, e, "SSL_CLIENT_V_REMAIN", 0, now + 400 * 86400,
                      &answered);
    is_str(v, "0", "SSL_CLIENT_V_REMAIN 0 after notAfter");
}

static int count_key(void *baton, const char *key, const char *value)
{
    (void)key;
    (void)value;
    ++*(int *)baton;
    return 1;
}

static int occurrences(const apr_table_t *t, const char *key)
{
    int n = 0;

    apr_table_do(count_key, &n, t, key, NULL);
    return n;
}

/* An export replaces what the environment already holds (a SetEnv, a TLS
 * client certificate's values) and never leaves a name twice. */
static void test_export_over_existing(apr_pool_t *p,
                                      const amt_client_cert_t *client)
{
    amt_entry_t *e;
    amt_client_cert_t failed = *client;
    apr_table_t *env = apr_table_make(p, 4);
    time_t now = time(NULL);
    const char *cn = amt_var_lookup(p, client, "SSL_CLIENT_S_DN_CN", 0);

    apr_table_setn(env, "FOO", "bar");
    apr_table_setn(env, "ssl_client_s_dn_cn", "mallory");
    apr_table_setn(env, "SSL_CLIENT_VERIFY", "NONE");
    amt_entry_make(&e, p, key1, client, now + 300, 1, 256);
    amt_entry_export(env, p, e, AMT_OPT_STD_ENV_VARS, now);
    is_str(apr_table_get(env, "SSL_CLIENT_S_DN_CN"), cn,
           "export over an existing value: the entry's CN wins");
    is_int(occurrences(env, "SSL_CLIENT_S_DN_CN"), 1,
           "export over an existing value: the CN is there once");
    is_str(apr_table_get(env, "SSL_CLIENT_VERIFY"), "SUCCESS",
           "export over an existing value: SSL_CLIENT_VERIFY replaced");
    is_int(occurrences(env, "SSL_CLIENT_VERIFY"), 1,
           "export over an existing value: SSL_CLIENT_VERIFY once");
    is_str(apr_table_get(env, "FOO"), "bar",
           "export over an existing value: other variables kept");

    /* a second export of the same entry changes nothing */
    {
        int before = apr_table_elts(env)->nelts;
        amt_entry_export(env, p, e, AMT_OPT_STD_ENV_VARS, now);
        is_int(apr_table_elts(env)->nelts, before,
               "a second export adds no variable");
    }

    env = apr_table_make(p, 4);
    apr_table_setn(env, "SSL_CLIENT_VERIFY", "SUCCESS");
    failed.result.outcome = AMT_OUTCOME_FAILED;
    failed.result.failure = AMT_FAIL_EXPIRED;
    failed.result.reason = "certificate has expired";
    amt_entry_make(&e, p, key1, &failed, now + 300, 1, 256);
    amt_entry_export(env, p, e, AMT_OPT_STD_ENV_VARS, now);
    is_str(apr_table_get(env, "SSL_CLIENT_VERIFY"),
           "FAILED:certificate has expired",
           "a failed entry replaces an existing SSL_CLIENT_VERIFY");
    is_int(occurrences(env, "SSL_CLIENT_VERIFY"), 1,
           "a failed entry: SSL_CLIENT_VERIFY once");
}

static void test_failed(apr_pool_t *p, const amt_chain_t *chain)
{
    amt_client_cert_t client;
    amt_entry_t *e, *back;
    apr_table_t *t = apr_table_make(p, 4);
    int answered;

    client.chain = chain;
    client.result.outcome = AMT_OUTCOME_FAILED;
    client.result.x509_error = 20;
    client.result.failure = AMT_FAIL_UNTRUSTED;
    client.result.error_depth = 1;
    client.result.reason = "unable to get local issuer certificate";
    amt_entry_make(&e, p, key1, &client, time(NULL) + 60, 1, 256);
    ok(e->nvars == 0 && e->subject_cn == NULL,
       "failed result: no identity stored");
    back = round_trip(p, e);
    ok(back != NULL && back->result.x509_error == 20
       && back->result.failure == AMT_FAIL_UNTRUSTED
       && back->result.error_depth == 1
       && strcmp(back->result.reason, client.result.reason) == 0,
       "failed result: error, class, depth and reason survive serialisation");
    if (back == NULL) return;
    amt_entry_export(t, p, back,
                     AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA, time(NULL));
    is_str(apr_table_get(t, "SSL_CLIENT_VERIFY"),
           "FAILED:unable to get local issuer certificate",
           "failed result: SSL_CLIENT_VERIFY");
    is_str(apr_table_get(t, "SSL_CLIENT_CERT"), "",
           "failed result: SSL_CLIENT_CERT empty under ExportCertData");
    is_int(apr_table_elts(t)->nelts, 2, "failed result: nothing else");
    ok(amt_entry_var(p, back, "SSL_CLIENT_S_DN_CN", 0, time(NULL), &answered)
       == NULL && answered, "failed result: identity lookups are NULL");
    ok(back->log_subject != NULL && strstr(back->log_subject, "CN=") != NULL,
       "failed result: the subject for log lines is kept");
}

static void test_expiry(apr_pool_t *p, const pki_cert_t *root)
{
    time_t now = time(NULL);
    pki_spec_t spec;
    pki_cert_t *soon, *notyet, *expired, *inter, *short_root, *leaf;
    amt_chain_t chain;
    amt_client_cert_t client;
    amt_trust_t *trust;
    amt_policy_t policy;
    const char *dir, *reason = NULL;

    memset(&spec, 0, sizeof(spec));
    spec.cn = "soon";
    spec.now = now;
    spec.validity_set = 1;
    spec.not_before = -3600;
    spec.not_after = 100;
    soon = pki_issue(p, &spec, root);
    spec.cn = "notyet";
    spec.not_before = 50;
    spec.not_after = 86400;
    notyet = pki_issue(p, &spec, root);
    spec.cn = "expired";
    spec.not_before = -86400;
    spec.not_after = -10;
    expired = pki_issue(p, &spec, root);

    chain.sent = sk_X509_new_null();
    chain.leaf = soon->x509;
    memset(&client, 0, sizeof(client));
    client.chain = &chain;
    is_int((long long)amt_entry_expiry(&client, now, 300, 0), now + 100,
           "expiry: the leaf's notAfter before the timeout");
    is_int((long long)amt_entry_expiry(&client, now, 60, 0), now + 60,
           "expiry: the timeout before the leaf's notAfter");
    is_int((long long)amt_entry_expiry(&client, now, 300, now + 30), now + 30,
           "expiry: the policy's bound (CRL nextUpdate) first");
    chain.leaf = notyet->x509;
    is_int((long long)amt_entry_expiry(&client, now, 300, 0), now + 50,
           "expiry: a not-yet-valid leaf's notBefore");
    chain.leaf = expired->x509;
    is_int((long long)amt_entry_expiry(&client, now, 300, 0), now + 300,
           "expiry: an expired leaf stays expired: the timeout");
    is_int((long long)amt_entry_expiry(NULL, now, 300, 0), now + 300,
           "expiry: no client certificate: the timeout");
    client.chain = NULL;
    is_int((long long)amt_entry_expiry(&client, now, 300, 0), now + 300,
           "expiry: no chain (malformed header): the timeout");
    client.chain = &chain;
    spec.cn = "Short CA";
    spec.is_ca = 1;
    spec.not_before = -3600;
    spec.not_after = 40;
    inter = pki_issue(p, &spec, root);
    chain.leaf = soon->x509;
    sk_X509_push(chain.sent, inter->x509);
    is_int((long long)amt_entry_expiry(&client, now, 300, 0), now + 40,
           "expiry: an intermediate's notAfter counts too");
    sk_X509_free(chain.sent);

    /* a trust anchor that expires in 70 s, with a leaf and an intermediate
     * valid for a year: the verified path bounds the entry, not only what
     * the header carried */
    spec.cn = "Short Root";
    spec.not_after = 70;
    short_root = pki_issue(p, &spec, NULL);
    spec.cn = "Long Inter";
    spec.validity_set = 0;
    inter = pki_issue(p, &spec, short_root);
    spec.is_ca = 0;
    spec.cn = "long leaf";
    leaf = pki_issue(p, &spec, inter);
    dir = pki_tmpdir(p);
    amt_trust_make(&trust, p);
    amt_trust_add_file(trust, pki_write_file(p, dir, "short.pem",
                                             pki_pem(p, short_root->x509)),
                       p, &reason);
    memset(&policy, 0, sizeof(policy));
    policy.trust = trust;
    policy.depth = 5;
    chain.leaf = leaf->x509;
    chain.sent = sk_X509_new_null();
    sk_X509_push(chain.sent, inter->x509);
    amt_verify_chain(&client.result, p, &policy, &chain, now);
    is_str(amt_result_string(p, &client.result), "SUCCESS",
           "expiry: the chain under a short-lived root verifies");
    is_int((long long)client.result.recheck_at, now + 70,
           "expiry: recheck_at is the root's notAfter");
    is_int((long long)amt_entry_expiry(&client, now, 300, 0), now + 70,
           "expiry: a trust anchor's notAfter bounds a cached SUCCESS");
    sk_X509_free(chain.sent);
}

/* a subject with DEL, a control byte and UTF-8: the entry's log text is
 * printable ASCII and the entry decodes */
static void test_odd_subject(apr_pool_t *p, const pki_cert_t *root)
{
    static const pki_rdn_t odd[] = {
        { "O", "del\x7f tab\t nl\n \xc3\xb6", 0, 0, 0 },
        { "CN", "odd", 0, 0, 0 },
        { NULL, NULL, 0, 0, 0 }
    };
    pki_spec_t spec;
    pki_cert_t *leaf;
    amt_chain_t chain;
    amt_client_cert_t client;
    amt_entry_t *e, *back;
    const char *c;
    int ascii = 1;

    memset(&spec, 0, sizeof(spec));
    spec.subject = odd;
    leaf = pki_issue(p, &spec, root);
    chain.leaf = leaf->x509;
    chain.sent = sk_X509_new_null();
    client.chain = &chain;
    amt_result_fail(&client.result, AMT_FAIL_MALFORMED, "bad\x01reason\xff");
    amt_entry_make(&e, p, key1, &client, time(NULL) + 60, 0, 256);
    for (c = e->log_subject; c && *c; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) ascii = 0;
    }
    ok(e->log_subject != NULL && ascii, "odd subject: log text is printable "
       "ASCII (%s)", e->log_subject ? e->log_subject : "NULL");
    is_str(e->result.reason, "bad?reason?", "odd reason made printable");
    back = round_trip(p, e);
    ok(back != NULL, "odd subject: the entry decodes");
    sk_X509_free(chain.sent);
}

static void test_keys(void)
{
    amt_policy_t pk1, pk2;
    unsigned char a[AMT_ENTRY_KEY_LEN], b[AMT_ENTRY_KEY_LEN];

    memset(&pk1, 0, sizeof(pk1));
    pk1.depth = 5;
    pk2 = pk1;
    pk2.depth = 4;
    amt_entry_key(a, &pk1, "X-Amzn-Mtls-Clientcert", "abc", 3);
    amt_entry_key(b, &pk1, "x-amzn-mtls-clientcert", "abc", 3);
    ok(memcmp(a, b, sizeof(a)) == 0, "key: header name case does not matter");
    amt_entry_key(b, &pk2, "X-Amzn-Mtls-Clientcert", "abc", 3);
    ok(memcmp(a, b, sizeof(a)) != 0, "key: another depth, another key");
    pk2 = pk1;
    pk2.no_ca_ok = 1;
    amt_entry_key(b, &pk2, "X-Amzn-Mtls-Clientcert", "abc", 3);
    ok(memcmp(a, b, sizeof(a)) != 0, "key: optional_no_ca, another key");
    pk2 = pk1;
    amt_entry_key(b, &pk2, "X-Amzn-Mtls-Clientcert", "abc", 3);
    ok(memcmp(a, b, sizeof(a)) == 0, "key: an equal policy, the same key");
    amt_entry_key(b, &pk1, "X-Other", "abc", 3);
    ok(memcmp(a, b, sizeof(a)) != 0, "key: another header, another key");
    amt_entry_key(b, &pk1, "X-Amzn-Mtls-Clientcert", "abd", 3);
    ok(memcmp(a, b, sizeof(a)) != 0, "key: another value, another key");
    amt_entry_key(b, &pk1, "X-Amzn-Mtls-Clientcer", "tabc", 4);
    ok(memcmp(a, b, sizeof(a)) != 0, "key: name/value boundary is kept");
}

/* ------------------------------------------------------------------ */
/* hostile serialised data                                             */

static int refused(apr_pool_t *p, const unsigned char *buf, apr_size_t len)
{
    amt_entry_t *e = (amt_entry_t *)1;
    const char *why = NULL;
    apr_status_t rv = amt_entry_decode(&e, p, key1, buf, len, &why);
    return rv != APR_SUCCESS && e == NULL && why != NULL;
}

/* An entry of version 1 (no failure byte), as earlier releases wrote it
 * into shared caches: still read, its class derived from x509_error. */
static void test_version1(apr_pool_t *p)
{
    static const struct { int x509_error; amt_failure_e failure; } cases[] = {
        { 0, AMT_FAIL_MALFORMED }, { 10, AMT_FAIL_EXPIRED },
        { 20, AMT_FAIL_UNTRUSTED }, { 7, AMT_FAIL_OTHER }
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        amt_client_cert_t failed;
        amt_entry_t *e, *back = NULL;
        unsigned char *buf, *v1;
        apr_size_t len, at = 4 + 1 + 32 + 8 + 1;
        const char *why = NULL;

        memset(&failed, 0, sizeof(failed));
        amt_result_fail(&failed.result, AMT_FAIL_MALFORMED, "some reason");
        failed.result.x509_error = cases[i].x509_error;
        failed.result.failure = cases[i].x509_error
            ? amt_failure_of_x509(cases[i].x509_error) : AMT_FAIL_MALFORMED;
        amt_entry_make(&e, p, key1, &failed, time(NULL) + 300, 0, 256);
        amt_entry_encode(&buf, &len, p, e);
        v1 = apr_palloc(p, len - 1);
        memcpy(v1, buf, at);
        memcpy(v1 + at, buf + at + 1, len - at - 1);
        v1[4] = 1;
        ok(amt_entry_decode(&back, p, key1, v1, len - 1, &why) == APR_SUCCESS
           && back->result.failure == cases[i].failure,
           "version 1 entry, x509_error %d: decoded, class %s",
           cases[i].x509_error, amt_failure_name(cases[i].failure));
    }
}

/* offset of the first string length field (after the fixed header) */
#define FIXED_LEN (4 + 1 + 32 + 8 + 1 + 1 + 4 + 4 + 8 + 1)
/* offset of the failure class byte */
#define FAILURE_AT (4 + 1 + 32 + 8 + 1)

static void test_hostile(apr_pool_t *p, const amt_client_cert_t *client)
{
    amt_entry_t *e, *back;
    unsigned char *buf, *copy;
    apr_size_t len, i;
    unsigned char other[AMT_ENTRY_KEY_LEN];
    int all = 1, survived = 0, b, n;
    const char *why;

    amt_entry_make(&e, p, key1, client, time(NULL) + 300, 1, 256);
    amt_entry_encode(&buf, &len, p, e);

    for (i = 0; i < len; i++) {
        copy = malloc(i ? i : 1);   /* exact size: ASan/valgrind see overreads */
        memcpy(copy, buf, i);
        if (!refused(p, copy, i)) all = 0;
        free(copy);
    }
    ok(all, "every truncation (%" APR_SIZE_T_FMT " lengths) is refused", len);

    copy = malloc(len + 1);
    memcpy(copy, buf, len);
    copy[len] = 0;
    ok(refused(p, copy, len + 1), "a trailing byte is refused");
    free(copy);

    memcpy(other, key1, sizeof(other));
    other[5] ^= 1;
    ok(amt_entry_decode(&back, p, other, buf, len, &why) != APR_SUCCESS,
       "an entry stored under another key is refused");

    /* the in-process store's decoder: the same entry, the same refusals of
     * form; only the bytes of texts are not rescanned */
    {
        amt_entry_t *own = NULL;
        int same = amt_entry_decode_own(&own, p, key1, buf, len, &why)
                   == APR_SUCCESS
                   && amt_entry_decode(&back, p, key1, buf, len, &why)
                      == APR_SUCCESS
                   && own->nvars == back->nvars
                   && own->result.outcome == back->result.outcome
                   && own->expires == back->expires;
        for (i = 0; same && i < (apr_size_t)own->nvars; i++) {
            same = strcmp(own->vars[i].name, back->vars[i].name) == 0
                && strcmp(own->vars[i].value, back->vars[i].value) == 0;
        }
        ok(same, "decode_own gives what decode gives");
        ok(amt_entry_decode_own(&own, p, other, buf, len, &why)
           != APR_SUCCESS
           && amt_entry_decode_own(&own, p, key1, buf, len - 1, &why)
              != APR_SUCCESS,
           "decode_own refuses another key and a truncated entry");
    }

    /* every byte flipped in turn: refused, or decoded into something that
     * still satisfies the invariants (a value byte may change: a shared
     * cache's content is trusted, its form is not) */
    copy = malloc(len);
    for (i = 0; i < len; i++) {
        for (b = 0; b < 8; b += 3) {
            memcpy(copy, buf, len);
            copy[i] ^= (unsigned char)(1 << b);
            if (amt_entry_decode(&back, p, key1, copy, len, &why)
                == APR_SUCCESS) {
                int k, good = back->nvars <= AMT_ENTRY_MAX_VARS;
                for (k = 0; k < back->nvars; k++) {
                    const char *nm = back->vars[k].name;
                    good = good && (const unsigned char *)nm >= copy
                        && (const unsigned char *)nm + strlen(nm) < copy + len
                        && strncmp(nm, "SSL_CLIENT_", 11) == 0;
                }
                if (!good) all = 0;
                survived++;
            }
        }
    }
    free(copy);
    ok(all, "bit flips: nothing decodes into a broken entry (%d decoded "
       "with a changed byte)", survived);

    /* a length field claiming 2 GB, a count of a million variables */
    copy = malloc(len);
    memcpy(copy, buf, len);
    copy[FIXED_LEN] = 0x7f;
    ok(refused(p, copy, len), "a huge string length is refused");
    memcpy(copy, buf, len);
    copy[FIXED_LEN] = 0xff; copy[FIXED_LEN + 1] = 0xff;
    copy[FIXED_LEN + 2] = 0xff; copy[FIXED_LEN + 3] = 0xfe;
    ok(refused(p, copy, len), "a length just under the NULL marker is refused");
    memcpy(copy, buf, len);
    copy[0] = 'X';
    ok(refused(p, copy, len), "wrong magic is refused");
    memcpy(copy, buf, len);
    copy[4] = 3;
    ok(refused(p, copy, len), "an unknown version is refused");
    memcpy(copy, buf, len);
    copy[FAILURE_AT] = AMT_FAIL_COUNT;
    ok(refused(p, copy, len), "an unknown failure class is refused");
    memcpy(copy, buf, len);
    copy[FAILURE_AT] = AMT_FAIL_EXPIRED;
    ok(refused(p, copy, len), "a failure class on a verified entry is refused");
    memcpy(copy, buf, len);
    copy[4 + 1 + 32 + 8] = 9;
    ok(refused(p, copy, len), "an unknown outcome is refused");
    memcpy(copy, buf, len);
    copy[4 + 1 + 32 + 8] = AMT_OUTCOME_FAILED;
    ok(refused(p, copy, len), "FAILED without a reason is refused");
    memcpy(copy, buf, len);
    copy[4 + 1 + 32 + 8] = AMT_OUTCOME_NONE;
    ok(refused(p, copy, len), "variables in an unverified entry are refused");
    free(copy);

    /* a NUL inside a string and a control byte in the log subject */
    {
        char *nul = (char *)memmem(buf, len, "Dev", 3);
        copy = malloc(len);
        memcpy(copy, buf, len);
        if (nul) copy[(unsigned char *)nul - buf + 1] = '\0';
        ok(nul != NULL && refused(p, copy, len),
           "a NUL inside a value is refused");
        memcpy(copy, buf, len);
        nul = (char *)memmem(buf, len, "CN=", 3);
        if (nul) copy[(unsigned char *)nul - buf] = '\n';
        ok(nul != NULL && refused(p, copy, len),
           "a control byte in the log subject is refused");
        memcpy(copy, buf, len);
        nul = (char *)memmem(buf, len, "SSL_CLIENT_M_SERIAL", 19);
        if (nul) copy[(unsigned char *)nul - buf + 12] = '-';
        ok(nul != NULL && refused(p, copy, len),
           "a variable name outside [A-Za-z0-9_] is refused");
        free(copy);
    }

    /* random garbage, and random garbage behind a valid prefix */
    srand(42);
    all = 1;
    for (n = 0; n < 2000; n++) {
        apr_size_t l = (apr_size_t)(rand() % 600);
        copy = malloc(l ? l : 1);
        for (i = 0; i < l; i++) copy[i] = (unsigned char)rand();
        if (n & 1) memcpy(copy, buf, l < FIXED_LEN ? l : FIXED_LEN);
        if (!refused(p, copy, l)) all = 0;
        free(copy);
    }
    ok(all, "2000 random buffers are refused");
    ok(refused(p, NULL, 0), "no buffer is refused");
    copy = calloc(1, AMT_ENTRY_MAX + 1);
    ok(refused(p, copy, AMT_ENTRY_MAX + 1), "a buffer over the limit is refused");
    free(copy);
}

int main(void)
{
    apr_pool_t *p;
    pki_cert_t *root, *inter, *leaf;
    pki_spec_t spec;
    amt_trust_t *trust;
    amt_policy_t policy;
    amt_chain_t *chain;
    amt_client_cert_t client;
    const char *dir, *path, *reason = NULL;

    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    amt_verify_init();
    memset(key1, 0xab, sizeof(key1));

    root = pki_root(p, "Entry Root");
    inter = pki_intermediate(p, "Entry Inter", root);
    memset(&spec, 0, sizeof(spec));
    spec.subject = subject;
    spec.san = "DNS:a.example,DNS:b.example,email:j@example.com,"
               "URI:spiffe://example/j,"
               "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:j@corp";
    leaf = pki_issue(p, &spec, inter);

    dir = pki_tmpdir(p);
    path = pki_write_file(p, dir, "ca.pem", pki_pem(p, root->x509));
    amt_trust_make(&trust, p);
    amt_trust_add_file(trust, path, p, &reason);
    memset(&policy, 0, sizeof(policy));
    policy.trust = trust;
    policy.depth = 5;
    policy.no_ca_ok = 0;

    amt_chain_from_header(&chain, p, pki_header(p, leaf->x509, inter->x509,
                                                NULL), &reason);
    client.chain = chain;
    amt_verify_chain(&client.result, p, &policy, chain, 0);
    is_str(amt_result_string(p, &client.result), "SUCCESS",
           "the test chain verifies");

    check_equivalence(p, &client, "verified");
    client.result.outcome = AMT_OUTCOME_GENEROUS;
    check_equivalence(p, &client, "generous");
    client.result.outcome = AMT_OUTCOME_SUCCESS;
    test_lookups_not_stored(p, &client);
    test_export_over_existing(p, &client);
    test_failed(p, chain);
    test_expiry(p, root);
    test_odd_subject(p, root);
    test_keys();
    test_hostile(p, &client);
    test_version1(p);

    apr_pool_destroy(p);
    return done_testing();
}
