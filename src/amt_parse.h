/*
 * amt_parse.h - strict parsers for directive values.  They return
 * AMT_EBADVALUE with an English message (allocated from p) that the glue
 * prefixes with the directive's name.
 */
#ifndef AMT_PARSE_H
#define AMT_PARSE_H

#include <apr_pools.h>
#include <apr_network_io.h>
#include "amt_options.h"

typedef enum {
    AMT_VERIFY_UNSET = -1,
    AMT_VERIFY_NONE = 0,
    AMT_VERIFY_OPTIONAL,
    AMT_VERIFY_REQUIRE,
    AMT_VERIFY_OPTIONAL_NO_CA
} amt_verify_mode_e;

/** none|optional|require|optional_no_ca (case-insensitive; mod_ssl's aliases
 *  "off" and "on" are accepted too). */
apr_status_t amt_parse_verify_mode(amt_verify_mode_e *mode, apr_pool_t *p,
                                   const char *word, const char **err);

/** A decimal integer in [min, max], nothing else (no sign for min >= 0, no
 *  spaces, no trailing bytes). */
apr_status_t amt_parse_int(int *out, apr_pool_t *p, const char *word,
                           int min, int max, const char **err);

/** An HTTP field name (RFC 9110 token), 1 to 128 characters. */
apr_status_t amt_parse_header_name(apr_pool_t *p, const char *word,
                                   const char **err);


/**
 * One AlbMtlsOptions word: "[+|-]Name".  *sign is '+', '-' or 0 (absolute).
 * Names are case-insensitive: StdEnvVars, ExportCertData,
 * LegacyDNStringFormat, FakeBasicAuth.
 */
apr_status_t amt_parse_option(int *flag, char *sign, apr_pool_t *p,
                              const char *word, const char **err);

/**
 * One AlbMtlsTrustedProxy address: "addr" or "addr/bits" (IPv4 or IPv6;
 * bits decimal digits only), as an APR subnet from p.  "any" is the
 * directive's keyword, not an address: the caller handles it.
 */
apr_status_t amt_parse_proxy(apr_ipsubnet_t **sub, apr_pool_t *p,
                             const char *word, const char **err);

/** Where AlbMtlsCache keeps results. */
typedef enum {
    AMT_CACHE_PROCESS = 0,      /* in each child (src/amt_lru.h) */
    AMT_CACHE_NONE,
    AMT_CACHE_SOCACHE           /* a mod_socache provider */
} amt_cache_kind_e;

#define AMT_CACHE_DEFAULT_BYTES (2 * 1024 * 1024)
#define AMT_CACHE_MIN_BYTES     (16 * 1024)
#define AMT_CACHE_MAX_BYTES     ((apr_size_t)1 << 31)

typedef struct amt_cache_spec_t {
    amt_cache_kind_e kind;
    apr_size_t bytes;           /* AMT_CACHE_PROCESS */
    const char *provider;       /* AMT_CACHE_SOCACHE: the provider's name */
    const char *args;           /* AMT_CACHE_SOCACHE: after ':', or NULL */
} amt_cache_spec_t;

/**
 * An AlbMtlsCache value: "none", "process[:bytes]" (bytes from
 * AMT_CACHE_MIN_BYTES to AMT_CACHE_MAX_BYTES, default
 * AMT_CACHE_DEFAULT_BYTES) or "<provider>[:args]".  Names are
 * case-insensitive; whether the provider exists is the caller's question.
 */
apr_status_t amt_parse_cache(amt_cache_spec_t *spec, apr_pool_t *p,
                             const char *word, const char **err);

#endif
