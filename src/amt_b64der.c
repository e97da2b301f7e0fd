/*
 * amt_b64der.c - comma-separated base64 DER -> DER blobs (see amt_b64der.h).
 */
#include <string.h>

#include "amt_b64der.h"
#include "amt_decode.h"
#include "amt_error.h"

static int is_space(unsigned char c)
{
    return amt_is_ows(c) || c == '\r' || c == '\n';
}

apr_status_t amt_b64der_decode(apr_array_header_t **ders, apr_pool_t *p,
                               const char *value, const char **reason)
{
    apr_array_header_t *arr = apr_array_make(p, 3, sizeof(amt_der_t));
    apr_size_t vlen = value ? strlen(value) : 0;
    const char *text = value, *pos, *end;
    apr_size_t tlen = vlen;
    apr_status_t rv;

    *ders = arr;
    *reason = NULL;
    if (amt_value_is_absent(value)) {
        return APR_SUCCESS;
    }
    if (vlen > 3 * (apr_size_t)AMT_MAX_DECODED) {
        *reason = "header too large";
        return AMT_ETOOLARGE;
    }
    if (memchr(value, '%', vlen) != NULL) {
        char *dec;
        if ((rv = amt_pct_decode(&dec, &tlen, p, value, vlen, reason))
            != APR_SUCCESS) {
            return rv;
        }
        text = dec;
    }
    if (tlen > AMT_MAX_DECODED) {
        *reason = "header too large";
        return AMT_ETOOLARGE;
    }
    pos = text;
    end = text + tlen;
    while (pos < end && is_space((unsigned char)*pos)) pos++;
    while (end > pos && is_space((unsigned char)end[-1])) end--;
    if (pos == end) {
        *reason = "malformed header: no base64";
        return AMT_EMALFORMED;
    }
    for (;;) {
        const char *start = pos;
        amt_der_t *der;
        unsigned char *data;
        apr_size_t dlen;

        while (pos < end && *pos != ',' && !amt_is_ows((unsigned char)*pos)) pos++;
        if (pos == start) {
            *reason = "malformed header: empty member in a base64 list";
            return AMT_EMALFORMED;
        }
        if (arr->nelts >= AMT_MAX_CERTS) {
            *reason = "too many certificates";
            return AMT_ETOOMANY;
        }
        if (amt_base64_decode(&data, &dlen, p, start, (apr_size_t)(pos - start))
            != APR_SUCCESS || dlen == 0) {
            *reason = "malformed header: bad base64";
            return AMT_EMALFORMED;
        }
        der = apr_array_push(arr);
        der->data = data;
        der->len = dlen;
        int next = amt_list_next(&pos, end,
                                 "malformed header: white space inside base64",
                                 "malformed header: trailing comma in a base64 list",
                                 reason);
        if (next < 0) return AMT_EMALFORMED;
        if (next > 0) break;
    }
    return APR_SUCCESS;
}
