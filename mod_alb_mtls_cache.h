/*
 * mod_alb_mtls_cache.h - the result cache (AlbMtlsCache): the box a verdict
 * asks "have you got it?" and tells "keep this".
 */
#ifndef MOD_ALB_MTLS_CACHE_H
#define MOD_ALB_MTLS_CACHE_H

#include "httpd.h"
#include "http_config.h"

#include "amt_entry.h"
#include "amt_parse.h"
#include "amt_vars.h"
#include "amt_verify.h"

/** AlbMtlsCache (parsed by amt_parse_cache) for cmd's server: looks the
 *  provider up and creates its instance; an error text or NULL. */
const char *amt_cache_configure(cmd_parms *cmd, const char *arg,
                                const amt_cache_spec_t *spec);
/** pre_config (the main server's default), post_config (socache providers
 *  and their mutexes), child_init (in-process stores), and the providers'
 *  own lines on the mod_status page. */
void amt_cache_register_hooks(apr_pool_t *p);

/** What amt_cache_lookup() hands to amt_cache_keep(): the key of one
 *  header value under one policy, as the cache in use keys it (the exact
 *  bytes in process, their SHA-256 in a shared cache). */
typedef struct amt_cache_slot_t {
    int usable;                 /* 0: there is nothing to keep */
    const amt_policy_t *policy;
    unsigned char key[AMT_ENTRY_KEY_LEN];   /* shared cache; else zero */
    unsigned char prefix[AMT_ENTRY_PREFIX_MAX];  /* in process */
    apr_size_t prefix_len;
    const char *value;
    apr_size_t value_len;
} amt_cache_slot_t;

/**
 * "Have you got it?": the valid entry for this header value under policy,
 * or NULL.  value NULL (no single header field), no cache here, or
 * AlbMtlsCacheTimeout 0: NULL, and nothing will be kept.
 */
const amt_entry_t *amt_cache_lookup(request_rec *r, amt_cache_slot_t *slot,
                                    const amt_policy_t *policy,
                                    const char *header, const char *value);

/** "Keep this": stores the result of client (not NONE) under slot, until
 *  the earliest time it may change (amt_entry_expiry). */
void amt_cache_keep(request_rec *r, const amt_cache_slot_t *slot,
                    const amt_client_cert_t *client, int with_certdata);

#endif

/* Small records of other kinds (the OCSP answers of mod_alb_mtls_ocsp.c)
 * in the same AlbMtlsCache, under 32-byte keys of their own namespace
 * (their own SHA-256 tag): not counted as verdict hits or misses. */

/** The longest life of a record in r's cache, 0 when there is no cache
 *  (none, AlbMtlsCacheTimeout 0). */
int amt_cache_record_timeout(request_rec *r);
/** Copies the record under key (at most *len bytes) into buf; APR_SUCCESS
 *  with *len set, or APR_NOTFOUND (also: expired, unreachable cache). */
apr_status_t amt_cache_record_get(request_rec *r, const unsigned char key[32],
                                  unsigned char *buf, apr_size_t *len);
/** Stores a record until expires (bounded by the timeout). */
void amt_cache_record_put(request_rec *r, const unsigned char key[32],
                          time_t expires, const unsigned char *buf,
                          apr_size_t len);
