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
