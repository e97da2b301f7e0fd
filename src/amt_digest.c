/*
 * amt_digest.c - SHA-256 fetched once (see amt_digest.h).
 */
#include "amt_compat.h"
#include "amt_digest.h"

/* process lifetime: fetched before threads exist, only read afterwards */
static EVP_MD *sha256_md;

void amt_digest_init(void)
{
    if (sha256_md == NULL) {
        sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    }
}

const EVP_MD *amt_sha256(void)
{
    return sha256_md != NULL ? sha256_md : EVP_sha256();
}
