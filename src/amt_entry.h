/*
 * amt_entry.h - a cached verification result: the outcome and everything
 * needed to publish the variables without parsing the chain again, and its
 * serialised form for a cache shared between processes or hosts.
 *
 * The serialised form comes back from memcached, redis or shared memory,
 * which other parties may be able to write: amt_entry_decode() checks every
 * length, count and field against the buffer and refuses anything it did not
 * write itself (wrong magic, version, key, truncated or trailing data,
 * out-of-range values, NUL or control bytes where text is expected).
 */
#ifndef AMT_ENTRY_H
#define AMT_ENTRY_H

#include <time.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "amt_verify.h"
#include "amt_vars.h"

#define AMT_ENTRY_KEY_LEN   32
/** longest serialised entry accepted (a 64 KB chain as PEM plus variables) */
#define AMT_ENTRY_MAX       (256 * 1024)
/** most variables one entry may carry */
#define AMT_ENTRY_MAX_VARS  512

/* what a stored variable is (amt_entry_var_t.tag) */
#define AMT_EV_STD          1   /* StdEnvVars, both DN formats */
#define AMT_EV_STD_RFC2253  2   /* StdEnvVars, without LegacyDNStringFormat */
#define AMT_EV_STD_LEGACY   3   /* StdEnvVars, with LegacyDNStringFormat */
#define AMT_EV_REMAIN       4   /* SSL_CLIENT_V_REMAIN: computed at use */
#define AMT_EV_CERTDATA     5   /* ExportCertData */

typedef struct amt_entry_var_t {
    int tag;
    const char *name;
    const char *value;
} amt_entry_var_t;

typedef struct amt_entry_t {
    unsigned char key[AMT_ENTRY_KEY_LEN];
    time_t expires;             /* the entry is stale at and after this */
    amt_result_t result;
    time_t leaf_not_after;      /* for SSL_CLIENT_V_REMAIN; 0 when none */
    const char *subject_cn;     /* verified only; NULL when none */
    const char *log_subject;    /* ASCII subject for log lines, or NULL */
    int has_certdata;           /* the ExportCertData variables are stored */
    int nvars;
    const amt_entry_var_t *vars;
} amt_entry_t;

/** longest header name that counts in a key (longer ones are cut) */
#define AMT_ENTRY_HEADER_MAX 256
/** longest key prefix (amt_entry_key_prefix) */
#define AMT_ENTRY_PREFIX_MAX (5 + AMT_POLICY_MATERIAL_LEN \
                              + AMT_ENTRY_HEADER_MAX + 1)

/**
 * Everything of a cache key but the header value, as bytes: a version tag,
 * the policy's material (amt_policy_material) and the header name
 * (lower-cased, a NUL after it).  Returns the number of bytes written.
 * The in-process store keys by these bytes and the value, compared
 * exactly (amt_lru.h).
 */
apr_size_t amt_entry_key_prefix(unsigned char out[AMT_ENTRY_PREFIX_MAX],
                                const amt_policy_t *policy,
                                const char *header);

/**
 * The cache key of a header value under a policy, for shared caches: one
 * SHA-256 over the key prefix (amt_entry_key_prefix) and the exact value.
 * Returns APR_SUCCESS or AMT_EOPENSSL.
 */
apr_status_t amt_entry_key(unsigned char out[AMT_ENTRY_KEY_LEN],
                           const amt_policy_t *policy,
                           const char *header, const char *value,
                           apr_size_t value_len);

/**
 * When a result must be recomputed: the earliest of now + timeout,
 * policy_not_after (when non-zero), client->result.recheck_at (a validity
 * bound of the path the verification built, trust anchor included) and
 * every validity bound (notBefore or notAfter) of the certificates sent that
 * still lies in the future, since the verdict may change there.  client may
 * be NULL, client->chain too.
 */
time_t amt_entry_expiry(const amt_client_cert_t *client, time_t now,
                        int timeout, time_t policy_not_after);

/**
 * Builds the entry of a computed result (client->result, client->chain as
 * verified).  with_certdata: also store SSL_CLIENT_CERT and
 * SSL_CLIENT_CERT_CHAIN_n.  log_max: as amt_cert_subject_for_log().
 */
apr_status_t amt_entry_make(amt_entry_t **entry, apr_pool_t *p,
                            const unsigned char key[AMT_ENTRY_KEY_LEN],
                            const amt_client_cert_t *client, time_t expires,
                            int with_certdata, apr_size_t log_max);

/** SUCCESS or GENEROUS */
int amt_entry_is_verified(const amt_entry_t *e);

/**
 * Sets the variables into env exactly as amt_vars_export() does for the
 * same client and flags, at time now (for SSL_CLIENT_V_REMAIN).  Returns
 * APR_INCOMPLETE, having set nothing, when flags ask for ExportCertData
 * data the entry does not hold (the caller then exports from the chain).
 */
apr_status_t amt_entry_export(apr_table_t *env, apr_pool_t *p,
                              const amt_entry_t *e, int flags, time_t now);

/**
 * One variable, as amt_var_lookup() answers it for the same client and
 * flags.  Sets *answered to 0 (and returns NULL) for a name whose value the
 * entry does not hold (an _RAW or _n form, a name in another case); the
 * caller then asks amt_var_lookup() with the parsed chain.
 */
const char *amt_entry_var(apr_pool_t *p, const amt_entry_t *e,
                          const char *name, int flags, time_t now,
                          int *answered);

/** Serialises e into one buffer from p. */
apr_status_t amt_entry_encode(unsigned char **buf, apr_size_t *len,
                              apr_pool_t *p, const amt_entry_t *e);

/**
 * Parses a buffer written by amt_entry_encode().  The entry's strings point
 * into buf, which must outlive it.  Refuses (AMT_EBADVALUE, *why set) any
 * buffer that is not exactly such an entry for `key`.
 */
apr_status_t amt_entry_decode(amt_entry_t **entry, apr_pool_t *p,
                              const unsigned char key[AMT_ENTRY_KEY_LEN],
                              const unsigned char *buf, apr_size_t len,
                              const char **why);

/**
 * amt_entry_decode() for a buffer this process encoded and kept in its own
 * memory (the in-process store): every length, count and value is checked
 * as there, but the bytes of the texts, which nobody else can have
 * written, are not scanned again.
 */
apr_status_t amt_entry_decode_own(amt_entry_t **entry, apr_pool_t *p,
                                  const unsigned char key[AMT_ENTRY_KEY_LEN],
                                  const unsigned char *buf, apr_size_t len,
                                  const char **why);

#endif
