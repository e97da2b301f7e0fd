/*
 * fuzz_xfcc.c - libFuzzer target: amt_xfcc_decode() on the input as one
 * X-Forwarded-Client-Cert value (cut at the first NUL).
 *
 * Invariants: fuzz_check_decoded() (fuzz_common.h).
 */
#include <stdint.h>

#include <apr_strings.h>

#include "amt_xfcc.h"
#include "fuzz_common.h"

static apr_pool_t *root;

void fuzz_target_init(void)
{
    root = fuzz_root_pool();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_array_header_t *ders = NULL;
    const char *reason = NULL;
    apr_status_t rv;

    fuzz_target_init();
    apr_pool_create(&p, root);
    rv = amt_xfcc_decode(&ders, p, apr_pstrmemdup(p, (const char *)data, size),
                         &reason);
    fuzz_check_decoded(p, rv, ders, reason);
    apr_pool_destroy(p);
    return 0;
}
