/*
 * floor.c - the OpenSSL floor of verifying one forwarded chain, and the
 * module core's cost for the same work, in CPU microseconds per chain.
 *
 *   floor HEADER_FILE CA_FILE [iterations]
 *
 * HEADER_FILE holds the header value as the ALB sends it (URL-encoded PEM,
 * leaf first).  Three measurements, each the median of 5 runs of
 * `iterations` loops (CLOCK_PROCESS_CPUTIME_ID):
 *   openssl  percent-decode + PEM_read_bio_X509 of every certificate +
 *            X509_verify_cert ("ssl_client" defaults): the floor
 *   parse    the same without the verification (decode + parse only)
 *   core     amt_chain_from_header() + amt_verify_chain() of the module's
 *            core library (build/libamt.a), i.e. what a cache miss costs
 *            the module before the variables are formatted
 *   hash     SHA-256 of the header value (what a cache hit costs)
 *   export   amt_vars_export(StdEnvVars) of the verified chain: formatting
 *            the variables, which a miss adds (a hit copies them)
 *   core_cached  core with the parsed intermediates kept
 *                (amt_intermediates.h)
 *            warm: a new client under a known intermediate
 *   hit      the core work of a hit in the in-process cache, as
 *            amt_verdict_for() and the fixups do it: the key prefix
 *            (policy and header name), amt_lru_get() (lock, hash and
 *            compare the key bytes, copy), amt_entry_decode_own() and
 *            amt_entry_export()
 * Output: one line "openssl=.. parse=.. core=.. hash=.. export=.. core_cached=..
 * hit=.."
 * (microseconds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "amt_lru.h"
#include "amt_intermediates.h"
#include "amt_chain.h"
#include "amt_trust.h"
#include "amt_verify.h"
#include "amt_vars.h"
#include "amt_entry.h"
#include <apr_tables.h>

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    buf[n] = '\0';
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
    *len = (size_t)n;
    return buf;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* percent-decode (the ALB leaves + = / as they are) */
static size_t pct_decode(char *out, const char *in, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (in[i] == '%' && i + 2 < n && hexval(in[i + 1]) >= 0
            && hexval(in[i + 2]) >= 0) {
            out[o++] = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
        }
        else out[o++] = in[i];
    }
    return o;
}

static int openssl_once(const char *hdr, size_t hlen, X509_STORE *store,
                        int verify)
{
    char *pem = malloc(hlen + 1);
    size_t n = pct_decode(pem, hdr, hlen);
    BIO *bio = BIO_new_mem_buf(pem, (int)n);
    STACK_OF(X509) *sent = sk_X509_new_null();
    X509 *leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL), *x;
    int ok = 0;

    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        sk_X509_push(sent, x);
    }
    ERR_clear_error();
    if (leaf != NULL && verify) {
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        X509_STORE_CTX_init(ctx, store, leaf, sent);
        X509_STORE_CTX_set_default(ctx, "ssl_client");
        ok = X509_verify_cert(ctx) == 1;
        X509_STORE_CTX_free(ctx);
    }
    else ok = leaf != NULL;
    X509_free(leaf);
    sk_X509_pop_free(sent, X509_free);
    BIO_free(bio);
    free(pem);
    return ok;
}

/* CPU microseconds per chain of `iters` rounds of the module core's miss:
 * amt_chain_from_header() + amt_verify_chain(); -1 when it does not verify */
static double time_core(const char *hdr, const amt_policy_t *policy,
                        apr_pool_t *sub, int iters)
{
    double t0 = cpu_now();
    int i;

    for (i = 0; i < iters; i++) {
        amt_chain_t *chain;
        amt_result_t res;
        const char *reason;
        if (amt_chain_from_header(&chain, sub, hdr, &reason) != APR_SUCCESS
            || amt_verify_chain(&res, sub, policy, chain, 0) != APR_SUCCESS
            || res.outcome != AMT_OUTCOME_SUCCESS) {
            return -1;
        }
        apr_pool_clear(sub);
    }
    return (cpu_now() - t0) / iters;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define RUNS 5

int main(int argc, char **argv)
{
    size_t hlen, clen;
    char *hdr, *ca;
    int iters = argc > 3 ? atoi(argv[3]) : 300, i, r;
    double t[7][RUNS], med[7];
    X509_STORE *store = X509_STORE_new();
    apr_pool_t *pool, *sub;
    amt_trust_t *trust;
    amt_policy_t policy;
    const char *err = NULL;

    if (argc < 3) {
        fprintf(stderr, "usage: floor HEADER_FILE CA_FILE [iterations]\n");
        return 2;
    }
    hdr = slurp(argv[1], &hlen);
    ca = slurp(argv[2], &clen);
    (void)ca;
    if (X509_STORE_load_file(store, argv[2]) != 1) {
        fprintf(stderr, "cannot load %s\n", argv[2]);
        return 2;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    amt_verify_init();
    if (amt_trust_make(&trust, pool) != APR_SUCCESS
        || amt_trust_add_file(trust, argv[2], pool, &err) != APR_SUCCESS) {
        fprintf(stderr, "amt_trust: %s\n", err ? err : "?");
        return 2;
    }
    memset(&policy, 0, sizeof(policy));
    policy.trust = trust;
    policy.depth = 5;
    policy.no_ca_ok = 0;
    if (!openssl_once(hdr, hlen, store, 1)) {
        fprintf(stderr, "the chain does not verify with plain OpenSSL\n");
        return 1;
    }
    apr_pool_create(&sub, pool);

    for (r = 0; r < RUNS; r++) {
        double t0 = cpu_now();
        for (i = 0; i < iters; i++) openssl_once(hdr, hlen, store, 1);
        t[0][r] = (cpu_now() - t0) / iters;

        t0 = cpu_now();
        for (i = 0; i < iters; i++) openssl_once(hdr, hlen, store, 0);
        t[1][r] = (cpu_now() - t0) / iters;

        if ((t[2][r] = time_core(hdr, &policy, sub, iters)) < 0) {
            fprintf(stderr, "core: the chain does not verify\n");
            return 1;
        }

        t0 = cpu_now();
        for (i = 0; i < iters * 20; i++) {
            unsigned char md[32];
            unsigned int mdlen;
            EVP_Digest(hdr, hlen, md, &mdlen, EVP_sha256(), NULL);
        }
        t[3][r] = (cpu_now() - t0) / (iters * 20);

        {
            amt_chain_t *chain;
            amt_client_cert_t client;
            const char *reason;
            amt_chain_from_header(&chain, pool, hdr, &reason);
            client.chain = chain;
            amt_verify_chain(&client.result, pool, &policy, chain, 0);
            t0 = cpu_now();
            for (i = 0; i < iters; i++) {
                apr_table_t *env = apr_table_make(sub, 40);
                amt_vars_export(env, sub, &client, AMT_OPT_STD_ENV_VARS);
                apr_pool_clear(sub);
            }
            t[4][r] = (cpu_now() - t0) / iters;
        }

        {
            amt_intermediates_t *cc;
            apr_pool_t *ccp;
            apr_pool_create(&ccp, pool);
            amt_intermediates_make(&cc, ccp, 64);
            amt_chain_set_intermediates(cc);
            if ((t[5][r] = time_core(hdr, &policy, sub, iters)) < 0) {
                fprintf(stderr, "core_cached: the chain does not verify\n");
                return 1;
            }
            apr_pool_destroy(ccp);   /* unsets the cache */
        }

        {
            static const char header[] = "X-Amzn-Mtls-Clientcert";
            amt_chain_t *chain;
            amt_client_cert_t client;
            amt_entry_t *e;
            amt_lru_t *cache;
            apr_pool_t *cp;
            unsigned char key[AMT_ENTRY_KEY_LEN] = { 0 }, *buf;
            unsigned char prefix[AMT_ENTRY_PREFIX_MAX];
            amt_lru_key_t k;
            apr_size_t len;
            const char *reason;
            time_t now = time(NULL);

            apr_pool_create(&cp, pool);
            amt_chain_from_header(&chain, cp, hdr, &reason);
            client.chain = chain;
            amt_verify_chain(&client.result, cp, &policy, chain, 0);
            k.head = prefix;
            k.head_len = amt_entry_key_prefix(prefix, &policy, header);
            k.tail = hdr;
            k.tail_len = hlen;
            if (amt_lru_make(&cache, cp, 4096, 2097152, NULL) != APR_SUCCESS
                || amt_entry_make(&e, cp, key, &client, now + 3600, 0, 256)
                   != APR_SUCCESS
                || amt_entry_encode(&buf, &len, cp, e) != APR_SUCCESS
                || amt_lru_put(cache, &k, now + 3600, now, 0, buf, len)
                   != APR_SUCCESS) {
                fprintf(stderr, "hit: cannot fill the cache\n");
                return 1;
            }
            t0 = cpu_now();
            for (i = 0; i < iters * 20; i++) {
                apr_table_t *env = apr_table_make(sub, 40);
                const char *why;
                k.head_len = amt_entry_key_prefix(prefix, &policy, header);
                k.tail_len = strlen(hdr);
                if (amt_lru_get(cache, &k, now, sub, &buf, &len)
                       != APR_SUCCESS
                    || amt_entry_decode_own(&e, sub, key, buf, len, &why)
                       != APR_SUCCESS
                    || amt_entry_export(env, sub, e, AMT_OPT_STD_ENV_VARS, now)
                       != APR_SUCCESS) {
                    fprintf(stderr, "hit: not a hit\n");
                    return 1;
                }
                apr_pool_clear(sub);
            }
            t[6][r] = (cpu_now() - t0) / (iters * 20);
            apr_pool_destroy(cp);
        }
    }
    for (i = 0; i < 7; i++) {
        qsort(t[i], RUNS, sizeof(double), cmp);
        med[i] = t[i][RUNS / 2];
    }
    printf("openssl=%.1f parse=%.1f core=%.1f hash=%.2f export=%.1f "
           "core_cached=%.1f hit=%.2f\n", med[0], med[1], med[2], med[3],
           med[4], med[5], med[6]);
    X509_STORE_free(store);
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
