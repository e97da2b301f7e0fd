/*
 * fuzz_rfc9440.c - libFuzzer target: amt_rfc9440_decode().  The input is
 * the Client-Cert value, then optionally '\n' and the Client-Cert-Chain
 * value (a header value holds no LF, so the split loses nothing); each is
 * cut at its first NUL, as httpd's strings are.
 *
 * Invariants: fuzz_check_decoded() (fuzz_common.h).
 */
#include <stdint.h>
#include <string.h>

#include <apr_strings.h>

#include "amt_rfc9440.h"
#include "fuzz_common.h"

static apr_pool_t *root;

void fuzz_target_init(void)
{
    root = fuzz_root_pool();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *nl = memchr(data, '\n', size);
    const char *cert, *chain = NULL;
    apr_array_header_t *ders = NULL;
    const char *reason = NULL;
    apr_status_t rv;

    fuzz_target_init();
    apr_pool_create(&p, root);
    if (nl != NULL) {
        cert = apr_pstrmemdup(p, (const char *)data,
                              (apr_size_t)(nl - (const char *)data));
        chain = apr_pstrmemdup(p, nl + 1,
                               size - (apr_size_t)(nl + 1 - (const char *)data));
    }
    else {
        cert = apr_pstrmemdup(p, (const char *)data, size);
    }
    rv = amt_rfc9440_decode(&ders, p, cert, chain, &reason);
    fuzz_check_decoded(p, rv, ders, reason);
    apr_pool_destroy(p);
    return 0;
}
