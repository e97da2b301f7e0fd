/*
 * amt_trust.h - trust anchors: an X509_STORE built from CA files and hashed
 * CA directories when a source is read (amt_source.h), read-only
 * afterwards, shared by all threads.
 */
#ifndef AMT_TRUST_H
#define AMT_TRUST_H

#include <apr_pools.h>
#include <openssl/x509_vfy.h>

typedef struct amt_trust_t amt_trust_t;

#define AMT_TRUST_DIGEST_LEN 32

/** An empty store; its X509_STORE is freed by a cleanup on p. */
apr_status_t amt_trust_make(amt_trust_t **trust, apr_pool_t *p);

/**
 * Adds every certificate of a PEM file.  Fails (AMT_ETRUST, *err allocated
 * from p, naming the file) when the path is missing, unreadable, not a
 * regular file, not PEM, or holds no certificate.
 */
apr_status_t amt_trust_add_file(amt_trust_t *trust, const char *path,
                                apr_pool_t *p, const char **err);

/**
 * Adds a hashed directory ("openssl rehash"), read lazily by OpenSSL.  Fails
 * when the path is not a readable directory or holds no hash link
 * (<8 hex digits>.<n>).
 */
apr_status_t amt_trust_add_dir(amt_trust_t *trust, const char *path,
                               apr_pool_t *p, const char **err);

/** True when neither a file nor a directory was added. */
int amt_trust_is_empty(const amt_trust_t *trust);

X509_STORE *amt_trust_store(const amt_trust_t *trust);

/**
 * SHA-256 over everything loaded into the store, in order: the DER of every
 * certificate from a file; the path and the name, size and mtime of every
 * hash link of a directory.  Two stores loaded from the same content have
 * the same digest, in any process on any host; a cache key built from it
 * separates policies by content, not by pointer.
 */
const unsigned char *amt_trust_digest(const amt_trust_t *trust);


#endif
