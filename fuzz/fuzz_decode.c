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
#include "fuzz_common.h"

static apr_pool_t *root;

void fuzz_target_init(void)
{
    root = fuzz_root_pool();
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

    fuzz_target_init();
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
        fuzz_check_ascii(reason);
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
