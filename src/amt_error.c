/*
 * amt_error.c - status texts and OpenSSL error-queue draining.
 */
#include <apr_strings.h>
#include <openssl/err.h>

#include "amt_compat.h"
#include "amt_error.h"

const char *amt_strerror(apr_pool_t *p, apr_status_t rv)
{
    char buf[256];

    switch (rv) {
    case AMT_EMALFORMED: return "malformed header";
    case AMT_ETOOMANY:   return "too many certificates";
    case AMT_ETOOLARGE:  return "header too large";
    case AMT_EBADCERT:   return "invalid certificate";
    case AMT_EDUPLICATE: return "multiple header fields";
    case AMT_ETRUST:     return "unusable trust anchors";
    case AMT_EOPENSSL:   return "OpenSSL failure";
    case AMT_EBADVALUE:  return "bad value";
    case AMT_EMISMATCH:  return "header disagrees with the certificate";
    default:
        return apr_pstrdup(p, apr_strerror(rv, buf, sizeof(buf)));
    }
}

const char *amt_openssl_errors(apr_pool_t *p)
{
    const char *out = "";
    const char *data;
    unsigned long e;
    int flags;
    char buf[256];

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        int has_data = data != NULL && (flags & ERR_TXT_STRING) && *data;
        ERR_error_string_n(e, buf, sizeof(buf));
        out = apr_pstrcat(p, out, *out ? "; " : "", buf,
                          has_data ? " (" : "", has_data ? data : "",
                          has_data ? ")" : "", NULL);
    }
    return out;
}
