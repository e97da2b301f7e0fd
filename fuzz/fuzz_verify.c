/*
 * fuzz_verify.c - libFuzzer target: the whole path of a request's header
 * through the core: decode + parse (amt_chain_from_header), verify
 * (amt_verify_chain, once plain and once as optional_no_ca with a CRL
 * check), then format every variable (amt_vars_export with all flags, and
 * amt_var_lookup of a list of names) -- for the real verdict and, to reach
 * the formatting of hostile certificate content, for a forced SUCCESS.
 *
 * Trust anchors: the PEM file named by $AMT_FUZZ_CA (default
 * fuzz/corpus/ca.pem, the CA that signed the committed valid seeds); CRLs
 * from $AMT_FUZZ_CRL (default fuzz/corpus/crl.pem) when that file exists.
 *
 * Verification runs at a fixed time, one day after the CA's notBefore, so
 * that the committed seeds keep reaching the SUCCESS paths after their
 * certificates expire in real time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "amt_chain.h"
#include "amt_crl.h"
#include "amt_trust.h"
#include "amt_vars.h"
#include "amt_verify.h"
#include "fuzz_common.h"

static apr_pool_t *root;
static amt_trust_t *trust;
static amt_crl_t *crls;
static time_t verify_at;

static const char *const names[] = {
    "SSL_CLIENT_VERIFY", "SSL_CLIENT_S_DN", "SSL_CLIENT_I_DN",
    "SSL_CLIENT_S_DN_CN", "SSL_CLIENT_S_DN_CN_1", "SSL_CLIENT_S_DN_OU_2",
    "SSL_CLIENT_S_DN_CN_RAW", "SSL_CLIENT_I_DN_O", "SSL_CLIENT_S_DN_Email",
    "SSL_CLIENT_S_DN_UID", "SSL_CLIENT_SAN_DNS_0", "SSL_CLIENT_SAN_Email_0",
    "SSL_CLIENT_SAN_OTHER_msUPN_0", "SSL_CLIENT_SAN_OTHER_dnsSRV_0",
    "SSL_CLIENT_SAN_URI_0", "SSL_CLIENT_M_SERIAL", "SSL_CLIENT_M_VERSION",
    "SSL_CLIENT_V_START", "SSL_CLIENT_V_END", "SSL_CLIENT_V_REMAIN",
    "SSL_CLIENT_A_SIG", "SSL_CLIENT_A_KEY", "SSL_CLIENT_CERT",
    "SSL_CLIENT_CERT_CHAIN_0", "SSL_CLIENT_CERT_CHAIN_9",
    "SSL_CLIENT_CERT_RFC4523_CEA", "SSL_CLIENT_CERT_SHA256",
    "ssl_client_s_dn_CN", "SSL_CLIENT_S_DN_CN_99999999999", "SSL_CLIENT_",
    NULL
};

void fuzz_target_init(void)
{
    const char *ca, *crl, *err = NULL;
    FILE *f;

    if (root != NULL) return;
    root = fuzz_root_pool();
    amt_verify_init();
    ca = getenv("AMT_FUZZ_CA");
    if (ca == NULL || *ca == '\0') ca = "fuzz/corpus/ca.pem";
    if (amt_trust_make(&trust, root) != APR_SUCCESS
        || amt_trust_add_file(trust, ca, root, &err) != APR_SUCCESS) {
        fprintf(stderr, "fuzz_verify: cannot load the CA %s: %s\n", ca,
                err ? err : "?");
        exit(2);
    }
    if ((f = fopen(ca, "r")) != NULL) {
        X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
        struct tm tm;

        fclose(f);
        if (cert != NULL && ASN1_TIME_to_tm(X509_get0_notBefore(cert), &tm)) {
            verify_at = timegm(&tm) + 86400;
        }
        X509_free(cert);
    }
    if (verify_at == 0) {
        fprintf(stderr, "fuzz_verify: no notBefore in the CA %s\n", ca);
        exit(2);
    }
    crl = getenv("AMT_FUZZ_CRL");
    if (crl == NULL || *crl == '\0') crl = "fuzz/corpus/crl.pem";
    if ((f = fopen(crl, "r")) != NULL) {
        fclose(f);
        if (amt_crl_make(&crls, root) != APR_SUCCESS
            || amt_crl_add_file(crls, crl, root, &err) != APR_SUCCESS) {
            fprintf(stderr, "fuzz_verify: cannot load the CRLs %s: %s\n",
                    crl, err ? err : "?");
            exit(2);
        }
    }
}

static void format_all(apr_pool_t *p, const amt_client_cert_t *client)
{
    apr_table_t *env = apr_table_make(p, 64);
    int i;

    amt_vars_export(env, p, client,
                    AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA);
    amt_vars_export(env, p, client,
                    AMT_OPT_STD_ENV_VARS | AMT_OPT_LEGACY_DN_FORMAT);
    for (i = 0; names[i] != NULL; i++) {
        (void)amt_var_lookup(p, client, names[i], 0);
        (void)amt_var_lookup(p, client, names[i], AMT_OPT_LEGACY_DN_FORMAT);
    }
    if (client->chain != NULL && client->chain->leaf != NULL) {
        const char *s = amt_cert_subject_for_log(p, client->chain->leaf, 256);
        if (s == NULL || strlen(s) > 256 + 3) abort();
        (void)amt_cert_subject_cn(p, client->chain->leaf);
        if (strlen(amt_cert_sha256_hex(p, client->chain->leaf)) != 64)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    amt_chain_t *chain = NULL;
    const char *reason = NULL;
    amt_policy_t plain = { .trust = NULL, .depth = 5 };
    amt_policy_t revo;
    amt_client_cert_t client;

    fuzz_target_init();
    plain.trust = trust;
    revo = plain;
    revo.no_ca_ok = 1;
    revo.depth = 3;
    revo.crl = crls;
    revo.crl_check = AMT_CRL_CHECK_CHAIN;
    revo.crl_no_crl_ok = 1;

    apr_pool_create(&p, root);
    if (amt_chain_from_header(&chain, p,
                              apr_pstrmemdup(p, (const char *)data, size),
                              &reason) != APR_SUCCESS) {
        chain = NULL;
    }
    memset(&client, 0, sizeof(client));
    client.chain = chain;
    if (amt_verify_chain(&client.result, p, &plain, chain, verify_at)
        != APR_SUCCESS)
        abort();
    format_all(p, &client);
    if (chain != NULL && chain->leaf != NULL) {
        if (amt_verify_chain(&client.result, p, &revo, chain, verify_at)
            != APR_SUCCESS)
            abort();
        if (client.result.outcome == AMT_OUTCOME_FAILED
            && client.result.reason == NULL)
            abort();
        /* the formatting of whatever the certificate holds */
        client.result.outcome = AMT_OUTCOME_SUCCESS;
        client.result.reason = NULL;
        format_all(p, &client);
    }
    apr_pool_destroy(p);
    return 0;
}
