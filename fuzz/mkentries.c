/*
 * mkentries.c - writes the committed seeds of fuzz/fuzz_entry.c into
 * fuzz/corpus/entries/: cache entries as amt_entry_encode() writes them
 * (the bytes a shared cache holds) for a verified chain with and without
 * ExportCertData, a GENEROUS result, a leaf with an odd subject, and a
 * FAILED result.  Run by `make -f Makefile.apxs fuzz-seeds`; certificates
 * come from t/unit/pki.c.  Entries are parsed, never verified again, so the
 * committed files do not go stale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "amt_chain.h"
#include "amt_entry.h"
#include "amt_trust.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"

static const char *out;

static void put_entry(apr_pool_t *p, const char *name,
                      const amt_client_cert_t *client,
                      int certdata)
{
    unsigned char key[AMT_ENTRY_KEY_LEN], *buf;
    amt_entry_t *e;
    apr_size_t len;
    FILE *f;
    const char *path = apr_pstrcat(p, out, "/", name, NULL);

    memset(key, 0, sizeof(key));
    memcpy(key, name, strlen(name) < sizeof(key) ? strlen(name) : sizeof(key));
    if (amt_entry_make(&e, p, key, client, time(NULL) + 300, certdata, 256)
        != APR_SUCCESS
        || amt_entry_encode(&buf, &len, p, e) != APR_SUCCESS) {
        bail_out("cannot make the entry %s", name);
    }
    if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, len, f) != len
        || fclose(f) != 0) {
        bail_out("cannot write %s", path);
    }
    printf("%s: %lu bytes\n", path, (unsigned long)len);
}

static void verified_client(apr_pool_t *p, amt_client_cert_t *client,
                          const amt_policy_t *policy, const pki_cert_t *leaf,
                          const pki_cert_t *inter)
{
    const char *reason = NULL;
    amt_chain_t *chain;

    if (amt_chain_from_header(&chain, p,
                              pki_header(p, leaf->x509, inter->x509, NULL),
                              &reason) != APR_SUCCESS
        || (client->chain = chain,
            amt_verify_chain(&client->result, p, policy, chain, 0))
           != APR_SUCCESS
        || client->result.outcome != AMT_OUTCOME_SUCCESS) {
        bail_out("the seed chain does not verify");
    }
}

int main(int argc, char **argv)
{
    static const pki_rdn_t odd_subject[] = {
        { "C", "DE", 0, 0, 0 },
        { "O", "M\xc3\xbcller, \"Q\" & <Co>", 0, 0, 0 },
        { "OU", "a+b", 0, 0, 0 },
        { "CN", "odd\x7f name", 0, 0, 0 },
        { NULL, NULL, 0, 0, 0 }
    };
    apr_pool_t *p;
    pki_cert_t *root, *inter, *leaf, *odd;
    pki_spec_t spec;
    amt_trust_t *trust;
    amt_policy_t policy;
    amt_client_cert_t client;
    const char *reason = NULL;

    if (argc != 2) {
        fprintf(stderr, "usage: mkentries OUTDIR\n");
        return 2;
    }
    out = argv[1];
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    amt_verify_init();
    if (apr_dir_make_recursive(out, APR_FPROT_OS_DEFAULT, p) != APR_SUCCESS) {
        bail_out("cannot make %s", out);
    }

    root = pki_root(p, "Entry Seed Root");
    inter = pki_intermediate(p, "Entry Seed Intermediate", root);
    memset(&spec, 0, sizeof(spec));
    spec.cn = "seed-client";
    spec.san = "DNS:a.example,email:s@example.com,URI:spiffe://example/s";
    leaf = pki_issue(p, &spec, inter);
    memset(&spec, 0, sizeof(spec));
    spec.subject = odd_subject;
    odd = pki_issue(p, &spec, inter);

    amt_trust_make(&trust, p);
    if (amt_trust_add_file(trust, pki_write_file(p, pki_tmpdir(p), "ca.pem",
                                                 pki_pem(p, root->x509)),
                           p, &reason) != APR_SUCCESS) {
        bail_out("trust: %s", reason ? reason : "?");
    }
    memset(&policy, 0, sizeof(policy));
    policy.trust = trust;
    policy.depth = 5;

    verified_client(p, &client, &policy, leaf, inter);
    put_entry(p, "verified", &client, 0);
    put_entry(p, "verified-certdata", &client, 1);
    client.result.outcome = AMT_OUTCOME_GENEROUS;
    put_entry(p, "generous", &client, 0);

    verified_client(p, &client, &policy, odd, inter);
    put_entry(p, "odd-subject", &client, 0);

    client.result.outcome = AMT_OUTCOME_FAILED;
    client.result.x509_error = 20;
    client.result.failure = AMT_FAIL_UNTRUSTED;
    client.result.error_depth = 1;
    client.result.reason = "unable to get local issuer certificate";
    put_entry(p, "failed", &client, 0);

    apr_pool_destroy(p);
    return 0;
}
