/*
 * amt_parse.h - strict parsers for directive values.  They return
 * AMT_EBADVALUE with an English message (allocated from p) that the glue
 * prefixes with the directive's name.
 */
#ifndef AMT_PARSE_H
#define AMT_PARSE_H

#include <apr_pools.h>
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

#endif
