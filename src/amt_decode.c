/*
 * amt_decode.c - ALB header value -> DER certificates.
 *
 * Work is linear in the size of the value: one pass to percent-decode, one
 * pass to find PEM blocks, one pass per block to base64-decode.
 */
#include <string.h>
#include <apr_strings.h>

#include "amt_decode.h"
#include "amt_error.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END   "-----END CERTIFICATE-----"

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

apr_status_t amt_pct_decode(char **out, apr_size_t *outlen, apr_pool_t *p,
                            const char *in, apr_size_t inlen,
                            const char **reason)
{
    char *buf = apr_palloc(p, inlen + 1);
    apr_size_t i, o = 0;

    for (i = 0; i < inlen; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            int hi, lo;
            if (inlen - i < 3
                || (hi = hexval((unsigned char)in[i + 1])) < 0
                || (lo = hexval((unsigned char)in[i + 2])) < 0) {
                *reason = "malformed header: bad percent-escape";
                return AMT_EMALFORMED;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') {
            *reason = "malformed header: NUL byte";
            return AMT_EMALFORMED;
        }
        buf[o++] = (char)c;
    }
    buf[o] = '\0';
    *out = buf;
    *outlen = o;
    return APR_SUCCESS;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

apr_status_t amt_base64_decode(unsigned char **out, apr_size_t *outlen,
                               apr_pool_t *p, const char *in, apr_size_t inlen)
{
    unsigned char *buf;
    apr_size_t i, o = 0, pad = 0;

    if (inlen == 0 || inlen % 4 != 0) {
        return AMT_EMALFORMED;
    }
    if (in[inlen - 1] == '=') {
        pad++;
        if (in[inlen - 2] == '=') pad++;
    }
    buf = apr_palloc(p, inlen / 4 * 3);
    for (i = 0; i < inlen; i += 4) {
        int v[4], k;
        int last = (i + 4 == inlen);
        for (k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)in[i + k];
            if (c == '=' && last && k >= 4 - (int)pad) {
                v[k] = 0;
            }
            else if ((v[k] = b64val(c)) < 0) {
                return AMT_EMALFORMED;
            }
        }
        buf[o++] = (unsigned char)((v[0] << 2) | (v[1] >> 4));
        if (!(last && pad == 2)) {
            buf[o++] = (unsigned char)(((v[1] & 0x0f) << 4) | (v[2] >> 2));
        }
        if (!(last && pad >= 1)) {
            buf[o++] = (unsigned char)(((v[2] & 0x03) << 6) | v[3]);
        }
        /* non-canonical padding bits are refused: they would let two
         * different header values decode to the same certificate */
        if (last && pad == 2 && (v[1] & 0x0f)) return AMT_EMALFORMED;
        if (last && pad == 1 && (v[2] & 0x03)) return AMT_EMALFORMED;
    }
    *out = buf;
    *outlen = o;
    return APR_SUCCESS;
}

static int only_space(const char *s, apr_size_t len)
{
    apr_size_t i;
    for (i = 0; i < len; i++) {
        if (!is_space((unsigned char)s[i])) return 0;
    }
    return 1;
}

int amt_value_is_absent(const char *value)
{
    return value == NULL || only_space(value, strlen(value))
           || strcmp(value, "(null)") == 0;
}

/* One PEM body (between the BEGIN and END lines): drop white space, decode. */
static apr_status_t decode_body(amt_der_t *der, apr_pool_t *p,
                                const char *body, apr_size_t len,
                                const char **reason)
{
    char *compact = apr_palloc(p, len + 1);
    apr_size_t i, n = 0;
    unsigned char *data;
    apr_size_t dlen;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)body[i];
        if (is_space(c)) continue;
        if (b64val(c) < 0 && c != '=') {
            *reason = "malformed header: bad base64";
            return AMT_EMALFORMED;
        }
        compact[n++] = (char)c;
    }
    if (amt_base64_decode(&data, &dlen, p, compact, n) != APR_SUCCESS
        || dlen == 0) {
        *reason = "malformed header: bad base64";
        return AMT_EMALFORMED;
    }
    der->data = data;
    der->len = dlen;
    return APR_SUCCESS;
}

apr_status_t amt_header_decode(apr_array_header_t **ders, apr_pool_t *p,
                               const char *value, const char **reason)
{
    apr_size_t vlen = value ? strlen(value) : 0;
    apr_array_header_t *arr = apr_array_make(p, 3, sizeof(amt_der_t));
    char *text;
    apr_size_t tlen;
    const char *pos, *end;
    apr_status_t rv;

    *ders = arr;
    *reason = NULL;
    if (amt_value_is_absent(value)) {
        return APR_SUCCESS;
    }
    if (memchr(value, ',', vlen)) {
        *reason = "malformed header: multiple header fields";
        return AMT_EDUPLICATE;
    }
    /* percent-decoding never grows the value, and shrinks it at most 3:1 */
    if (vlen > 3 * (apr_size_t)AMT_MAX_DECODED) {
        *reason = "header too large";
        return AMT_ETOOLARGE;
    }
    if ((rv = amt_pct_decode(&text, &tlen, p, value, vlen, reason))
        != APR_SUCCESS) {
        return rv;
    }
    if (tlen > AMT_MAX_DECODED) {
        *reason = "header too large";
        return AMT_ETOOLARGE;
    }

    pos = text;
    end = text + tlen;
    while (pos < end) {
        const char *body, *stop;
        amt_der_t *der;

        while (pos < end && is_space((unsigned char)*pos)) pos++;
        if (pos == end) break;
        if ((apr_size_t)(end - pos) < sizeof(PEM_BEGIN) - 1
            || memcmp(pos, PEM_BEGIN, sizeof(PEM_BEGIN) - 1) != 0) {
            *reason = "malformed header: not PEM";
            return AMT_EMALFORMED;
        }
        if (arr->nelts >= AMT_MAX_CERTS) {
            *reason = "too many certificates";
            return AMT_ETOOMANY;
        }
        body = pos + sizeof(PEM_BEGIN) - 1;
        /* the body is base64 and white space only, so the first '-' must
         * start the END line */
        stop = memchr(body, '-', (apr_size_t)(end - body));
        if (stop == NULL || (apr_size_t)(end - stop) < sizeof(PEM_END) - 1
            || memcmp(stop, PEM_END, sizeof(PEM_END) - 1) != 0) {
            *reason = "malformed header: not PEM";
            return AMT_EMALFORMED;
        }
        der = apr_array_push(arr);
        if ((rv = decode_body(der, p, body, (apr_size_t)(stop - body), reason))
            != APR_SUCCESS) {
            return rv;
        }
        pos = stop + sizeof(PEM_END) - 1;
    }
    if (arr->nelts == 0) {
        *reason = "malformed header: not PEM";
        return AMT_EMALFORMED;
    }
    return APR_SUCCESS;
}

int amt_is_ows(int c)
{
    return c == ' ' || c == '\t';
}

int amt_list_next(const char **pos, const char *end, const char *not_comma,
                  const char *trailing, const char **reason)
{
    const char *s = *pos;

    while (s < end && amt_is_ows((unsigned char)*s)) s++;
    if (s == end) {
        *pos = s;
        return 1;
    }
    if (*s != ',') {
        *reason = not_comma;
        return -1;
    }
    s++;
    while (s < end && amt_is_ows((unsigned char)*s)) s++;
    *pos = s;
    if (s == end) {
        *reason = trailing;
        return -1;
    }
    return 0;
}
