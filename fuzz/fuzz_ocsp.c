/*
 * fuzz_ocsp.c - libFuzzer target: what an OCSP responder sends back, from
 * the bytes on the socket to the outcome: amt_http_parse_response() (status
 * line, headers, body), then amt_ocsp_check() (DER, responseStatus, basic
 * response, signature against the trust anchors, the single response, the
 * validity), then the cache record of the answer.
 *
 * Input: one selector byte (which leaf of the PKI the request is about:
 * good, revoked or unknown at the seeds' responder) and the response bytes.
 * The PKI is $AMT_FUZZ_OCSP_PKI (default fuzz/corpus/ocsp/pki.pem, written
 * with the seeds by fuzz/mkocsp.sh): root, intermediate, three leaves.
 * Requests carry no nonce, so the seeds' answers get past the nonce check.
 *
 * Invariants (abort() = a finding): a failure says why, in printable ASCII;
 * a cause and a status are in range; a good or revoked answer survives the
 * cache record round trip, and its record is refused under another key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "amt_http.h"
#include "amt_ocsp.h"
#include "amt_verify.h"
#include "fuzz_common.h"

#define LEAVES 3

static apr_pool_t *root;
static X509_STORE *store;
static X509 *issuer, *leaves[LEAVES];
static amt_ocsp_conf_t *conf;
static int ready;

void fuzz_target_init(void)
{
    const char *path = getenv("AMT_FUZZ_OCSP_PKI");
    X509 *certs[2 + LEAVES];
    BIO *bio;
    int i;

    if (ready) return;
    ready = 1;
    root = fuzz_root_pool();
    amt_verify_init();
    if (path == NULL || *path == '\0') path = "fuzz/corpus/ocsp/pki.pem";
    if ((bio = BIO_new_file(path, "r")) == NULL) {
        fprintf(stderr, "fuzz_ocsp: cannot read %s\n", path);
        abort();
    }
    for (i = 0; i < 2 + LEAVES; i++) {
        if ((certs[i] = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
            fprintf(stderr, "fuzz_ocsp: %s: want 5 certificates\n", path);
            abort();
        }
    }
    BIO_free(bio);
    store = X509_STORE_new();
    X509_STORE_add_cert(store, certs[0]);
    X509_free(certs[0]);
    issuer = certs[1];
    for (i = 0; i < LEAVES; i++) leaves[i] = certs[2 + i];
    conf = amt_ocsp_conf_make(root);
    conf->mode = AMT_OCSP_ON;
    conf->nonce = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    amt_ocsp_req_t *req;
    amt_ocsp_answer_t ans, back;
    const unsigned char *body;
    apr_size_t body_len;
    const char *why;
    int status;
    amt_http_e he;
    amt_ocsp_cause_e cause;

    fuzz_target_init();
    if (size < 1) return 0;
    apr_pool_create(&p, root);
    he = amt_http_parse_response(data + 1, size - 1, &status, &body,
                                 &body_len, &why);
    if (he != AMT_HTTP_OK) {
        fuzz_check_ascii(why);
        if (he != AMT_HTTP_STATUS && he != AMT_HTTP_MALFORMED) abort();
        if (he == AMT_HTTP_STATUS && (status < 100 || status > 999
                                      || (status >= 200 && status < 300))) {
            abort();
        }
        apr_pool_destroy(p);
        return 0;
    }
    if (status < 200 || status > 299 || body < data + 1
        || body + body_len > data + size) {
        abort();
    }
    if (amt_ocsp_request(&req, p, conf, leaves[data[0] % LEAVES], issuer)
        != APR_SUCCESS) {
        abort();
    }
    cause = amt_ocsp_check(&ans, p, req, body, body_len, store, conf,
                           time(NULL), &why);
    if (getenv("AMT_FUZZ_OCSP_VERBOSE") != NULL) {
        fprintf(stderr, "fuzz_ocsp: %s, status %d%s%s\n",
                amt_ocsp_cause_name(cause), cause == AMT_OCSP_OK
                ? ans.status : -1, why ? ": " : "", why ? why : "");
    }
    if (cause != AMT_OCSP_OK) {
        if (cause < AMT_OCSP_MALFORMED || cause > AMT_OCSP_TOO_OLD) abort();
        fuzz_check_ascii(why);
    }
    else if (ans.status == V_OCSP_CERTSTATUS_GOOD
             || ans.status == V_OCSP_CERTSTATUS_REVOKED) {
        unsigned char rec[AMT_OCSP_ANSWER_LEN], other[AMT_OCSP_KEY_LEN];
        amt_ocsp_answer_encode(rec, req->key, &ans);
        if (ans.expires > 0
            && (amt_ocsp_answer_decode(&back, req->key, rec, sizeof(rec))
                != APR_SUCCESS || back.status != ans.status
                || back.expires != ans.expires)) {
            abort();
        }
        memcpy(other, req->key, sizeof(other));
        other[0] ^= 0x80;
        if (amt_ocsp_answer_decode(&back, other, rec, sizeof(rec))
            == APR_SUCCESS) {
            abort();
        }
    }
    else if (ans.status != V_OCSP_CERTSTATUS_UNKNOWN) {
        abort();
    }
    ERR_clear_error();
    apr_pool_destroy(p);
    return 0;
}
