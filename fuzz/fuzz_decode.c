/*
 * fuzz_decode.c - libFuzzer target: amt_header_decode(), the single entry
 * point for untrusted header bytes (percent-decoding, PEM scanning, base64,
 * the 10-certificate and 64 KB limits).  Also runs the two lower-level
 * decoders on the raw input.
 *
 * Invariants checked (abort() = a finding): on success every DER blob is
 * non-empty and there are at most AMT_MAX_CERTS of them; on failure a reason
 * is set; a reason never contains an input byte outside printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "amt_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static apr_pool_t *root;

/* The pool lives until exit, and is destroyed then: APR may take pool
 * memory from mmap, which LeakSanitizer does not scan, so objects reachable
 * only through a pool would look leaked. */
static void fini(void)
{
    if (root != NULL) {
        apr_pool_destroy(root);
        root = NULL;
        apr_terminate();
    }
}

static void init_once(void)
{
    if (root == NULL) {
        apr_initialize();
        apr_pool_create(&root, NULL);
        atexit(fini);
    }
}

static void check_reason(const char *reason)
{
    const unsigned char *s = (const unsigned char *)reason;

    if (s == NULL) abort();
    for (; *s; s++) {
        if (*s < 0x20 || *s > 0x7e) abort();
    }
}

/* libFuzzer calls this once before any input (not leak-checked); the
 * replay driver does not, so the targets also initialise lazily */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    init_once();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *value, *pct = NULL;
    unsigned char *b64 = NULL;
    apr_size_t pctlen = 0, b64len = 0;
    apr_array_header_t *ders = NULL;
    const char *reason = NULL;
    apr_status_t rv;
    int i;

    init_once();
    apr_pool_create(&p, root);
    /* a header value is a C string: cut at the first NUL, as httpd does */
    value = apr_pstrmemdup(p, (const char *)data, size);

    rv = amt_header_decode(&ders, p, value, &reason);
    if (rv == APR_SUCCESS) {
        if (ders == NULL) abort();
        if (ders->nelts > AMT_MAX_CERTS) abort();
        for (i = 0; i < ders->nelts; i++) {
            const amt_der_t *d = &APR_ARRAY_IDX(ders, i, amt_der_t);
            if (d->data == NULL || d->len == 0) abort();
        }
    }
    else {
        check_reason(reason);
    }

    reason = NULL;
    if (amt_pct_decode(&pct, &pctlen, p, (const char *)data, size, &reason)
        == APR_SUCCESS) {
        if (pct == NULL || pctlen > size) abort();
    }
    if (amt_base64_decode(&b64, &b64len, p, (const char *)data, size)
        == APR_SUCCESS) {
        if (b64len > size) abort();
    }
    apr_pool_destroy(p);
    return 0;
}
