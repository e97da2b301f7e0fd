/*
 * fuzz_common.c - see fuzz_common.h.
 */
#include <stdlib.h>

#include <apr_general.h>

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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_target_init();
    return 0;
}
