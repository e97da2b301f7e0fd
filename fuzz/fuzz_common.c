/*
 * fuzz_common.c - see fuzz_common.h.
 */
#include <stdlib.h>

#include <apr_general.h>

#include "amt_chain.h"
#include "amt_decode.h"
#include "fuzz_common.h"

static apr_pool_t *root;

static void fini(void)
{
    if (root != NULL) {
        apr_pool_destroy(root);
        root = NULL;
        apr_terminate();
    }
}

apr_pool_t *fuzz_root_pool(void)
{
    if (root == NULL) {
        apr_initialize();
        apr_pool_create(&root, NULL);
        atexit(fini);
    }
    return root;
}

void fuzz_check_ascii(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    if (s == NULL) abort();
    for (; *u; u++) {
        if (*u < 0x20 || *u > 0x7e) abort();
    }
}

void fuzz_check_decoded(apr_pool_t *p, apr_status_t rv,
                        const apr_array_header_t *ders, const char *reason)
{
    amt_chain_t *chain = NULL;
    int i;

    if (rv != APR_SUCCESS) {
        fuzz_check_ascii(reason);
        return;
    }
    if (ders == NULL || ders->nelts > AMT_MAX_CERTS) abort();
    for (i = 0; i < ders->nelts; i++) {
        const amt_der_t *d = &APR_ARRAY_IDX(ders, i, amt_der_t);
        if (d->data == NULL || d->len == 0) abort();
    }
    if (ders->nelts == 0) return;
    reason = NULL;
    rv = amt_chain_make(&chain, p, ders, &reason);
    if (rv == APR_SUCCESS) {
        if (chain == NULL || chain->leaf == NULL || chain->sent == NULL
            || sk_X509_num(chain->sent) != ders->nelts - 1) abort();
    }
    else {
        fuzz_check_ascii(reason);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_target_init();
    return 0;
}
