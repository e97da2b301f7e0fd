/*
 * amt_rfc9440.c - RFC 9440 Client-Cert / Client-Cert-Chain -> DER blobs,
 * with the Structured Field rules of RFC 9651 section 4.2 (Items, Lists,
 * Byte Sequences).  One pass over each value; base64 via amt_decode.c.
 */
#include <string.h>

#include "amt_decode.h"
#include "amt_rfc9440.h"
#include "amt_error.h"

static int is_b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

/* One Byte Sequence at *pos (RFC 9651 section 4.2.7), without parameters;
 * on success *pos is just after the closing ':'. */
static apr_status_t byte_sequence(amt_der_t *der, apr_pool_t *p,
                                  const char **pos, const char *end,
                                  const char **reason)
{
    const char *s = *pos, *body;
    unsigned char *data;
    apr_size_t dlen;

    if (s == end || *s != ':') {
        *reason = (s != end && *s == '(')
                  ? "malformed header: inner list instead of a byte sequence"
                  : (s != end && *s == ',')
                  ? "malformed header: empty list member"
                  : "malformed header: not a structured-field byte sequence";
        return AMT_EMALFORMED;
    }
    body = ++s;
    while (s < end && *s != ':') {
        if (!is_b64_char((unsigned char)*s)) {
            *reason = "malformed header: bad character in a byte sequence";
            return AMT_EMALFORMED;
        }
        s++;
    }
    if (s == end) {
        *reason = "malformed header: byte sequence without its closing colon";
        return AMT_EMALFORMED;
    }
    if (s == body) {
        *reason = "malformed header: empty byte sequence";
        return AMT_EMALFORMED;
    }
    if (amt_base64_decode(&data, &dlen, p, body, (apr_size_t)(s - body))
        != APR_SUCCESS || dlen == 0) {
        *reason = "malformed header: bad base64 in a byte sequence";
        return AMT_EMALFORMED;
    }
    s++;
    if (s < end && *s == ';') {
        *reason = "malformed header: parameters are not accepted";
        return AMT_EMALFORMED;
    }
    der->data = data;
    der->len = dlen;
    *pos = s;
    return APR_SUCCESS;
}

/* Client-Cert: SP* byte-sequence SP* */
static apr_status_t parse_item(apr_array_header_t *arr, apr_pool_t *p,
                               const char *value, const char **reason)
{
    const char *pos = value, *end = value + strlen(value);
    apr_status_t rv;

    while (pos < end && *pos == ' ') pos++;
    if ((rv = byte_sequence(apr_array_push(arr), p, &pos, end, reason))
        != APR_SUCCESS) {
        return rv;
    }
    while (pos < end && *pos == ' ') pos++;
    if (pos < end) {
        if (*pos == ',') {
            *reason = "malformed header: more than one Client-Cert value";
            return AMT_EDUPLICATE;
        }
        *reason = "malformed header: text after the Client-Cert byte sequence";
        return AMT_EMALFORMED;
    }
    return APR_SUCCESS;
}

/* Client-Cert-Chain: SP* [ member *( OWS "," OWS member ) ] OWS */
static apr_status_t parse_list(apr_array_header_t *arr, apr_pool_t *p,
                               const char *value, const char **reason)
{
    const char *pos = value, *end = value + strlen(value);
    apr_status_t rv;

    while (pos < end && *pos == ' ') pos++;
    while (pos < end) {
        if (arr->nelts >= AMT_MAX_CERTS) {
            *reason = "too many certificates";
            return AMT_ETOOMANY;
        }
        if ((rv = byte_sequence(apr_array_push(arr), p, &pos, end, reason))
            != APR_SUCCESS) {
            return rv;
        }
        int next = amt_list_next(&pos, end,
                                 "malformed header: list members not separated by a comma",
                                 "malformed header: trailing comma in a list",
                                 reason);
        if (next < 0) return AMT_EMALFORMED;
        if (next > 0) break;
    }
    return APR_SUCCESS;
}

apr_status_t amt_rfc9440_decode(apr_array_header_t **ders, apr_pool_t *p,
                                const char *cert, const char *chain,
                                const char **reason)
{
    apr_array_header_t *arr = apr_array_make(p, 3, sizeof(amt_der_t));
    int no_cert = amt_value_is_absent(cert);
    int no_chain = amt_value_is_absent(chain);
    apr_status_t rv;

    *ders = arr;
    *reason = NULL;
    if (no_cert) {
        if (no_chain) return APR_SUCCESS;
        *reason = "malformed header: Client-Cert-Chain without Client-Cert";
        return AMT_EMALFORMED;
    }
    if (strlen(cert) + (no_chain ? 0 : strlen(chain))
        > (apr_size_t)AMT_MAX_DECODED) {
        *reason = "header too large";
        return AMT_ETOOLARGE;
    }
    if ((rv = parse_item(arr, p, cert, reason)) != APR_SUCCESS) {
        return rv;
    }
    if (!no_chain && (rv = parse_list(arr, p, chain, reason)) != APR_SUCCESS) {
        return rv;
    }
    return APR_SUCCESS;
}
