/*
 * fuzz_desc.c - libFuzzer target: amt_leaf_decode() and amt_desc_check().
 * The input is up to six '\n'-separated lines: the leaf header value
 * (URL-encoded PEM), then Subject, Issuer, Serial-Number, Validity and
 * Sha256; a missing line is a missing header (NULL).  When the leaf
 * decodes and parses, the descriptions are checked against it.
 *
 * Invariants: fuzz_check_decoded() for the leaf; amt_desc_check() gives
 * APR_SUCCESS, AMT_EMISMATCH or AMT_EMALFORMED (AMT_EOPENSSL only under
 * memory exhaustion), a printable reason on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "amt_chain.h"
#include "amt_desc.h"
#include "amt_error.h"
#include "fuzz_common.h"

static apr_pool_t *root;

void fuzz_target_init(void)
{
    root = fuzz_root_pool();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *line[6] = { NULL, NULL, NULL, NULL, NULL, NULL };
    const char *s = (const char *)data, *end = s + size;
    apr_array_header_t *ders = NULL;
    amt_chain_t *chain = NULL;
    amt_desc_t desc;
    const char *reason = NULL;
    apr_status_t rv;
    int n;

    fuzz_target_init();
    apr_pool_create(&p, root);
    for (n = 0; n < 6 && s <= end; n++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *stop = (n < 5 && nl != NULL) ? nl : end;
        line[n] = apr_pstrmemdup(p, s, (apr_size_t)(stop - s));
        if (stop == end) break;
        s = stop + 1;
    }
    rv = amt_leaf_decode(&ders, p, line[0], &reason);
    fuzz_check_decoded(p, rv, ders, reason);
    if (rv == APR_SUCCESS && ders->nelts == 1
        && amt_chain_make(&chain, p, ders, &reason) == APR_SUCCESS) {
        desc.subject = line[1];
        desc.issuer = line[2];
        desc.serial = line[3];
        desc.validity = line[4];
        desc.sha256 = line[5];
        reason = NULL;
        rv = amt_desc_check(p, chain->leaf, &desc, &reason);
        if (rv != APR_SUCCESS) {
            if (rv != AMT_EMISMATCH && rv != AMT_EMALFORMED
                && rv != AMT_EOPENSSL) abort();
            fuzz_check_ascii(reason);
        }
    }
    apr_pool_destroy(p);
    return 0;
}
