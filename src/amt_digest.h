/*
 * amt_digest.h - the SHA-256 implementation used for keys and fingerprints,
 * fetched from OpenSSL once.
 *
 * With OpenSSL 3, EVP_DigestInit_ex(ctx, EVP_sha256(), ...) fetches the
 * implementation from the provider on every call, which costs more than
 * hashing a short input; an EVP_MD fetched once is immutable and may be
 * shared by all threads.
 */
#ifndef AMT_DIGEST_H
#define AMT_DIGEST_H

#include <openssl/evp.h>

/** Fetches SHA-256 once; call before threads start (amt_verify_init()
 *  does).  Harmless when called again. */
void amt_digest_init(void);

/** The fetched SHA-256, or EVP_sha256() when the fetch failed or
 *  amt_digest_init() was not called. */
const EVP_MD *amt_sha256(void);

#endif
