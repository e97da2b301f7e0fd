/*
 * amt_parse.c - strict parsers for directive values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "amt_parse.h"
#include "amt_error.h"

apr_status_t amt_parse_verify_mode(amt_verify_mode_e *mode, apr_pool_t *p,
                                   const char *word, const char **err)
{
    static const struct { const char *word; amt_verify_mode_e mode; } words[] = {
        { "none", AMT_VERIFY_NONE },
        { "off", AMT_VERIFY_NONE },
        { "optional", AMT_VERIFY_OPTIONAL },
        { "require", AMT_VERIFY_REQUIRE },
        { "on", AMT_VERIFY_REQUIRE },
        { "optional_no_ca", AMT_VERIFY_OPTIONAL_NO_CA },
        { NULL, AMT_VERIFY_UNSET }
    };
    int i;

    for (i = 0; words[i].word; i++) {
        if (strcasecmp(word, words[i].word) == 0) {
            *mode = words[i].mode;
            return APR_SUCCESS;
        }
    }
    *err = apr_psprintf(p, "'%s' is not one of none, optional, require, "
                        "optional_no_ca", word);
    return AMT_EBADVALUE;
}

apr_status_t amt_parse_int(int *out, apr_pool_t *p, const char *word,
                           int min, int max, const char **err)
{
    const char *s;
    char *end;
    long v;

    for (s = word; *s; s++) {
        if (!apr_isdigit(*s) && !(s == word && *s == '-' && min < 0)) break;
    }
    if (*word == '\0' || *s != '\0' || strlen(word) > 11) {
        *err = apr_psprintf(p, "'%s' is not a whole number from %d to %d",
                            word, min, max);
        return AMT_EBADVALUE;
    }
    errno = 0;
    v = strtol(word, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        *err = apr_psprintf(p, "'%s' is not a whole number from %d to %d",
                            word, min, max);
        return AMT_EBADVALUE;
    }
    *out = (int)v;
    return APR_SUCCESS;
}

apr_status_t amt_parse_header_name(apr_pool_t *p, const char *word,
                                   const char **err)
{
    static const char tchar[] = "!#$%&'*+-.^_`|~";
    const char *s;

    if (*word == '\0' || strlen(word) > 128) {
        *err = apr_psprintf(p, "a header name has 1 to 128 characters");
        return AMT_EBADVALUE;
    }
    static const char *const reserved[] = {
        "Host", "Authorization", "Proxy-Authorization", "Cookie",
        "Content-Length", "Content-Type", "Transfer-Encoding", "Connection",
        "Upgrade", "Expect", "TE", "Trailer", "Keep-Alive", "Forwarded",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", NULL
    };
    int i;

    for (s = word; *s; s++) {
        if (!apr_isalnum(*s) && strchr(tchar, *s) == NULL) {
            *err = apr_psprintf(p, "'%s' is not a valid header name", word);
            return AMT_EBADVALUE;
        }
    }
    /* the module removes its header from untrusted peers and parses it:
     * a standard field must never be taken for it */
    for (i = 0; reserved[i]; i++) {
        if (strcasecmp(word, reserved[i]) == 0) {
            *err = apr_psprintf(p, "'%s' is a standard HTTP header and cannot "
                                "carry the certificate chain", word);
            return AMT_EBADVALUE;
        }
    }
    return APR_SUCCESS;
}

apr_status_t amt_parse_option(int *flag, char *sign, apr_pool_t *p,
                              const char *word, const char **err)
{
    static const struct { const char *name; int flag; } names[] = {
        { "StdEnvVars", AMT_OPT_STD_ENV_VARS },
        { "ExportCertData", AMT_OPT_EXPORT_CERT_DATA },
        { "LegacyDNStringFormat", AMT_OPT_LEGACY_DN_FORMAT },
        { "FakeBasicAuth", AMT_OPT_FAKE_BASIC_AUTH },
        { NULL, 0 }
    };
    const char *name = word;
    int i;

    *sign = 0;
    if (*name == '+' || *name == '-') {
        *sign = *name++;
    }
    for (i = 0; names[i].name; i++) {
        if (strcasecmp(name, names[i].name) == 0) break;
    }
    if (names[i].name == NULL) {
        *err = apr_psprintf(p, "unknown option '%s' (known: StdEnvVars, "
                            "ExportCertData, LegacyDNStringFormat, "
                            "FakeBasicAuth)", word);
        return AMT_EBADVALUE;
    }
    *flag = names[i].flag;
    return APR_SUCCESS;
}

apr_status_t amt_parse_proxy(apr_ipsubnet_t **sub, apr_pool_t *p,
                             const char *word, const char **err)
{
    char *ip = apr_pstrdup(p, word), *bits;
    apr_status_t rv;
    char buf[120];

    if ((bits = strchr(ip, '/')) != NULL) {
        *bits++ = '\0';
        if (*bits == '\0' || strspn(bits, "0123456789") != strlen(bits)) {
            *err = apr_psprintf(p, "'%s' is not an address or addr/bits",
                                word);
            return AMT_EBADVALUE;
        }
    }
    rv = apr_ipsubnet_create(sub, ip, bits, p);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "'%s' is not an address or addr/bits: %s",
                            word, apr_strerror(rv, buf, sizeof(buf)));
        return AMT_EBADVALUE;
    }
    return APR_SUCCESS;
}

apr_status_t amt_parse_cache(amt_cache_spec_t *spec, apr_pool_t *p,
                             const char *word, const char **err)
{
    const char *colon = strchr(word, ':');
    const char *name = colon ? apr_pstrmemdup(p, word,
                                              (apr_size_t)(colon - word))
                             : word;
    const char *args = colon ? colon + 1 : NULL;

    memset(spec, 0, sizeof(*spec));
    if (strcasecmp(word, "none") == 0) {
        spec->kind = AMT_CACHE_NONE;
        return APR_SUCCESS;
    }
    if (strcasecmp(name, "process") == 0) {
        apr_int64_t bytes = AMT_CACHE_DEFAULT_BYTES;
        char *end = NULL;
        if (args != NULL) {
            bytes = apr_strtoi64(args, &end, 10);
            if (*args == '\0' || end == NULL || *end != '\0'
                || bytes < AMT_CACHE_MIN_BYTES
                || (apr_uint64_t)bytes > AMT_CACHE_MAX_BYTES) {
                *err = apr_psprintf(p, "'process:%s': the size must be a "
                                    "number of bytes from %d to %"
                                    APR_SIZE_T_FMT, args, AMT_CACHE_MIN_BYTES,
                                    AMT_CACHE_MAX_BYTES);
                return AMT_EBADVALUE;
            }
        }
        spec->kind = AMT_CACHE_PROCESS;
        spec->bytes = (apr_size_t)bytes;
        return APR_SUCCESS;
    }
    spec->kind = AMT_CACHE_SOCACHE;
    spec->provider = name;
    spec->args = args;
    return APR_SUCCESS;
}
