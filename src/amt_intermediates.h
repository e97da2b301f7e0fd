/*
 * amt_intermediates.h - parsed intermediate certificates, kept per process.
 *
 * Clients under one load balancer send the same few intermediates over and
 * over, and OpenSSL 3 spends more time parsing a certificate (d2i_X509) than
 * checking its signature.  This table maps the exact DER bytes of a
 * certificate sent after the leaf to its parsed X509 object, so that a new
 * client under a known intermediate costs one leaf parse.  Lookups compare
 * the whole DER, not only a hash.  Bounded; thread-safe; X509 objects are
 * reference-counted and shared read-only (as OpenSSL shares certificates
 * between connections).
 */
#ifndef AMT_INTERMEDIATES_H
#define AMT_INTERMEDIATES_H

#include <apr_pools.h>
#include <openssl/x509.h>

typedef struct amt_intermediates_t amt_intermediates_t;

/** A table of at most max certificates, freed with p. */
apr_status_t amt_intermediates_make(amt_intermediates_t **cc, apr_pool_t *p,
                                    int max);

/** The parsed certificate with exactly these DER bytes (a new reference,
 *  to X509_free), or NULL. */
X509 *amt_intermediates_get(amt_intermediates_t *cc, const unsigned char *der,
                        apr_size_t len);

/** Keeps a reference to x under its DER bytes (when there is room or an
 *  old entry can go). */
void amt_intermediates_put(amt_intermediates_t *cc, const unsigned char *der,
                       apr_size_t len, X509 *x);

/**
 * The table amt_chain_make() uses for the certificates after the leaf (NULL:
 * none, the default).  Set once at start-up, before threads parse.
 */
void amt_chain_set_intermediates(amt_intermediates_t *cc);
amt_intermediates_t *amt_chain_intermediates(void);

#endif
