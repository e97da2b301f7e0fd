/*
 * amt_format.c - header formats: field names, the one decoding stage, and
 * the cache key input.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>

#include "amt_format.h"
#include "amt_b64der.h"
#include "amt_decode.h"
#include "amt_desc.h"
#include "amt_error.h"
#include "amt_rfc9440.h"
#include "amt_xfcc.h"

static const char *const names[AMT_FORMAT_COUNT] = {
    "alb", "alb-verify", "rfc9440", "xfcc", "base64-der"
};

static const char *const defaults[AMT_FORMAT_COUNT] = {
    "X-Amzn-Mtls-Clientcert", "X-Amzn-Mtls-Clientcert-Leaf", "Client-Cert",
    "X-Forwarded-Client-Cert", NULL
};

/* alb-verify: the descriptive headers, in amt_desc_t's order */
static const char *const desc_suffix[] = {
    "-Subject", "-Issuer", "-Serial-Number", "-Validity", "-Sha256"
};

apr_status_t amt_format_parse(amt_format_e *format, apr_pool_t *p,
                              const char *name, const char **reason)
{
    int i;

    for (i = 0; i < AMT_FORMAT_COUNT; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            *format = (amt_format_e)i;
            return APR_SUCCESS;
        }
    }
    *reason = apr_psprintf(p, "unknown format '%s' (alb, alb-verify, "
                           "rfc9440, xfcc or base64-der)", name);
    return AMT_EBADVALUE;
}

const char *amt_format_name(amt_format_e format)
{
    return format >= 0 && format < AMT_FORMAT_COUNT ? names[format] : "?";
}

const char *amt_format_default_header(amt_format_e format)
{
    return format >= 0 && format < AMT_FORMAT_COUNT ? defaults[format]
                                                     : NULL;
}

void amt_format_fields(amt_fields_t *fields, apr_pool_t *p,
                       amt_format_e format, const char *header)
{
    apr_size_t i;

    memset(fields, 0, sizeof(*fields));
    if (header == NULL) header = amt_format_default_header(format);
    fields->format = format;
    fields->nfields = 1;
    fields->names[0] = header;
    if (format == AMT_FORMAT_RFC9440) {
        fields->names[fields->nfields++] = apr_pstrcat(p, header, "-Chain",
                                                       NULL);
    }
    else if (format == AMT_FORMAT_ALB_VERIFY) {
        const char *dash = strrchr(header, '-');
        const char *stem = dash != NULL && dash != header
            ? apr_pstrmemdup(p, header, (apr_size_t)(dash - header)) : header;
        for (i = 0; i < sizeof(desc_suffix) / sizeof(desc_suffix[0]); i++) {
            fields->names[fields->nfields++] = apr_pstrcat(p, stem,
                                                           desc_suffix[i],
                                                           NULL);
        }
    }
}

static int any_present(const amt_fields_t *fields, const char *const values[],
                       int from)
{
    int i;

    for (i = from; i < fields->nfields; i++) {
        if (!amt_value_is_absent(values[i])) return 1;
    }
    return 0;
}

apr_status_t amt_format_chain(amt_chain_t **chain, apr_pool_t *p,
                              const amt_fields_t *fields,
                              const char *const values[],
                              const char **reason)
{
    apr_array_header_t *ders = NULL;
    apr_status_t rv;
    amt_desc_t desc;

    *chain = NULL;
    switch (fields->format) {
    case AMT_FORMAT_ALB:
        rv = amt_header_decode(&ders, p, values[0], reason);
        break;
    case AMT_FORMAT_ALB_VERIFY:
        rv = amt_leaf_decode(&ders, p, values[0], reason);
        break;
    case AMT_FORMAT_RFC9440:
        rv = amt_rfc9440_decode(&ders, p, values[0], values[1], reason);
        break;
    case AMT_FORMAT_XFCC:
        rv = amt_xfcc_decode(&ders, p, values[0], reason);
        break;
    case AMT_FORMAT_BASE64_DER:
        rv = amt_b64der_decode(&ders, p, values[0], reason);
        break;
    default:
        *reason = "internal error: unknown header format";
        return APR_EINVAL;
    }
    if (rv != APR_SUCCESS) return rv;
    if (ders->nelts == 0) {
        if (fields->format == AMT_FORMAT_ALB_VERIFY
            && any_present(fields, values, 1)) {
            *reason = "malformed header: descriptive headers without the "
                      "certificate";
            return AMT_EMALFORMED;
        }
        return APR_SUCCESS;
    }
    if ((rv = amt_chain_make(chain, p, ders, reason)) != APR_SUCCESS) {
        *chain = NULL;
        return rv;
    }
    if (fields->format != AMT_FORMAT_ALB_VERIFY) return APR_SUCCESS;
    desc.subject = values[1];
    desc.issuer = values[2];
    desc.serial = values[3];
    desc.validity = values[4];
    desc.sha256 = values[5];
    if ((rv = amt_desc_check(p, (*chain)->leaf, &desc, reason))
        != APR_SUCCESS) {
        *chain = NULL;
        return rv;
    }
    return APR_SUCCESS;
}

void amt_format_key_input(const char **name, const char **value,
                          apr_size_t *len, apr_pool_t *p,
                          const amt_fields_t *fields,
                          const char *const values[], int proxy_verified)
{
    apr_size_t total = 0, at = 0;
    char *buf;
    int i;

    if (fields->format == AMT_FORMAT_ALB && fields->nfields == 1
        && !proxy_verified) {
        *name = fields->names[0];
        *value = values[0];
        *len = values[0] != NULL ? strlen(values[0]) : 0;
        return;
    }
    /* a space never occurs in a header name (a token) */
    *name = apr_pstrcat(p, amt_format_name(fields->format),
                        proxy_verified ? " proxy-verified " : " ",
                        fields->names[0], NULL);
    for (i = 0; i < fields->nfields; i++) {
        if (values[i] != NULL) break;
    }
    if (i == fields->nfields) {         /* none of the fields: no key */
        *value = NULL;
        *len = 0;
        return;
    }
    for (i = 0; i < fields->nfields; i++) {
        total += 9 + (values[i] != NULL ? strlen(values[i]) : 0);
    }
    buf = apr_palloc(p, total + 1);
    for (i = 0; i < fields->nfields; i++) {
        /* 'A' (absent) or 'P' (present) and 8 hex digits of length */
        apr_size_t n = values[i] != NULL ? strlen(values[i]) : 0;
        apr_snprintf(buf + at, 10, "%c%08lx", values[i] != NULL ? 'P' : 'A',
                     (unsigned long)n);
        at += 9;
        if (n > 0) memcpy(buf + at, values[i], n);
        at += n;
    }
    buf[at] = '\0';
    *value = buf;
    *len = at;
}
