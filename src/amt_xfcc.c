/*
 * amt_xfcc.c - Envoy X-Forwarded-Client-Cert -> DER blobs (see amt_xfcc.h).
 *
 * One pass over the value finds every element and pair; only the values
 * of Cert, Chain and Hash in the current element are copied (unquoted),
 * and only the last element's are decoded.
 */
#include <string.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "amt_decode.h"
#include "amt_digest.h"
#include "amt_error.h"
#include "amt_xfcc.h"

enum { K_CERT, K_CHAIN, K_HASH, K_OTHER };

typedef struct {
    const char *val[3];      /* unquoted values of Cert, Chain, Hash */
} element_t;

static int is_key_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int key_id(const char *k, apr_size_t len)
{
    if (len == 4 && strncasecmp(k, "Cert", 4) == 0) return K_CERT;
    if (len == 5 && strncasecmp(k, "Chain", 5) == 0) return K_CHAIN;
    if (len == 4 && strncasecmp(k, "Hash", 4) == 0) return K_HASH;
    return K_OTHER;
}

/* One value at *pos; when out is not NULL, its unquoted text goes there
 * (allocated from p).  On success *pos is at ';', ',', white space before
 * a ',', or the end. */
static apr_status_t scan_value(const char **pos, const char *end,
                               apr_pool_t *p, const char **out,
                               const char **reason)
{
    const char *s = *pos;
    char *buf = NULL;
    apr_size_t n = 0;

    if (s < end && *s == '"') {
        if (out) buf = apr_palloc(p, (apr_size_t)(end - s));
        s++;
        for (;;) {
            unsigned char c;
            if (s == end) {
                *reason = "malformed header: unterminated quote in XFCC";
                return AMT_EMALFORMED;
            }
            c = (unsigned char)*s;
            if (c == '"') {
                s++;
                break;
            }
            if (c == '\\') {
                unsigned char e;
                if (s + 1 == end) {
                    *reason = "malformed header: unterminated quote in XFCC";
                    return AMT_EMALFORMED;
                }
                e = (unsigned char)s[1];
                if (e < 0x20 || e == 0x7f) {
                    *reason = "malformed header: bad escape in XFCC";
                    return AMT_EMALFORMED;
                }
                if (buf) {
                    if (e != '"' && e != '\\') buf[n++] = '\\';
                    buf[n++] = (char)e;
                }
                s += 2;
                continue;
            }
            if (c < 0x20 || c == 0x7f) {
                *reason = "malformed header: control byte in XFCC";
                return AMT_EMALFORMED;
            }
            if (buf) buf[n++] = (char)c;
            s++;
        }
        if (s < end && *s != ';' && *s != ',' && !amt_is_ows((unsigned char)*s)) {
            *reason = "malformed header: stray quote in XFCC";
            return AMT_EMALFORMED;
        }
    }
    else {
        const char *start = s;
        while (s < end && *s != ';' && *s != ',' && !amt_is_ows((unsigned char)*s)) {
            unsigned char c = (unsigned char)*s;
            if (c == '"') {
                *reason = "malformed header: stray quote in XFCC";
                return AMT_EMALFORMED;
            }
            if (c == '\\') {
                *reason = "malformed header: bad escape in XFCC";
                return AMT_EMALFORMED;
            }
            if (c < 0x20 || c == 0x7f) {
                *reason = "malformed header: control byte in XFCC";
                return AMT_EMALFORMED;
            }
            s++;
        }
        if (out) {
            buf = apr_palloc(p, (apr_size_t)(s - start) + 1);
            memcpy(buf, start, (apr_size_t)(s - start));
            n = (apr_size_t)(s - start);
        }
    }
    if (out) {
        buf[n] = '\0';
        *out = buf;
    }
    *pos = s;
    return APR_SUCCESS;
}

/* One element at *pos into el; on success *pos is at ',' (maybe after
 * white space) or the end. */
static apr_status_t scan_element(const char **pos, const char *end,
                                 apr_pool_t *p, element_t *el,
                                 const char **reason)
{
    const char *s = *pos;
    apr_status_t rv;

    memset(el, 0, sizeof(*el));
    for (;;) {
        const char *key = s;
        int id;

        while (s < end && is_key_char((unsigned char)*s)) s++;
        if (s == key) {
            *reason = (s == end || *s == ',' || *s == ';')
                      ? "malformed header: empty XFCC pair"
                      : "malformed header: bad XFCC key";
            return AMT_EMALFORMED;
        }
        if (s == end || *s != '=') {
            *reason = "malformed header: XFCC pair without '='";
            return AMT_EMALFORMED;
        }
        id = key_id(key, (apr_size_t)(s - key));
        s++;
        if (id != K_OTHER && el->val[id] != NULL) {
            *reason = "malformed header: repeated Cert, Chain or Hash in XFCC";
            return AMT_EMALFORMED;
        }
        if ((rv = scan_value(&s, end, p, id != K_OTHER ? &el->val[id] : NULL,
                             reason)) != APR_SUCCESS) {
            return rv;
        }
        if (s < end && *s == ';') {
            s++;
            continue;
        }
        break;
    }
    *pos = s;
    return APR_SUCCESS;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Cert's hash against Hash (64 hex digits). */
static apr_status_t check_hash(const amt_der_t *leaf, const char *hash,
                               const char **reason)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;

    if (strlen(hash) != 64) {
        *reason = "malformed header: XFCC Hash is not a hex SHA-256";
        return AMT_EMALFORMED;
    }
    for (i = 0; i < 64; i++) {
        if (hexval((unsigned char)hash[i]) < 0) {
            *reason = "malformed header: XFCC Hash is not a hex SHA-256";
            return AMT_EMALFORMED;
        }
    }
    if (!EVP_Digest(leaf->data, leaf->len, md, &mdlen, amt_sha256(), NULL)
        || mdlen != 32) {
        *reason = "cannot compute SHA-256";
        return AMT_EOPENSSL;
    }
    for (i = 0; i < 32; i++) {
        if (hexval((unsigned char)hash[2 * i]) * 16
            + hexval((unsigned char)hash[2 * i + 1]) != md[i]) {
            *reason = "XFCC Hash does not match the certificate";
            return AMT_EMISMATCH;
        }
    }
    return APR_SUCCESS;
}

/* Cert or Chain: URL-encoded PEM, one or more certificates. */
static apr_status_t decode_pem(apr_array_header_t **ders, apr_pool_t *p,
                               const char *value, int is_cert,
                               const char **reason)
{
    apr_status_t rv;

    if (amt_value_is_absent(value)) {
        *reason = is_cert ? "malformed header: XFCC Cert is empty"
                          : "malformed header: XFCC Chain is empty";
        return AMT_EMALFORMED;
    }
    /* amt_header_decode() takes a ',' for two merged fields; here it can
     * only be a quoted comma, which URL-encoded PEM never holds */
    if (strchr(value, ',') != NULL) {
        *reason = is_cert ? "malformed header: XFCC Cert is not PEM"
                          : "malformed header: XFCC Chain is not PEM";
        return AMT_EMALFORMED;
    }
    rv = amt_header_decode(ders, p, value, reason);
    if (rv == APR_SUCCESS && is_cert && (*ders)->nelts != 1) {
        *reason = "malformed header: XFCC Cert holds more than one certificate";
        return AMT_EMALFORMED;
    }
    return rv;
}

apr_status_t amt_xfcc_decode(apr_array_header_t **ders, apr_pool_t *p,
                             const char *value, const char **reason)
{
    apr_size_t vlen = value ? strlen(value) : 0;
    const char *pos, *end;
    element_t el;
    apr_array_header_t *cert, *chain;
    const amt_der_t *leaf, *first;
    apr_status_t rv;

    *ders = apr_array_make(p, 1, sizeof(amt_der_t));
    *reason = NULL;
    if (amt_value_is_absent(value)) {
        return APR_SUCCESS;
    }
    if (vlen > 3 * (apr_size_t)AMT_MAX_DECODED) {
        *reason = "header too large";
        return AMT_ETOOLARGE;
    }
    pos = value;
    end = value + vlen;
    while (pos < end && amt_is_ows((unsigned char)*pos)) pos++;
    for (;;) {
        if ((rv = scan_element(&pos, end, p, &el, reason)) != APR_SUCCESS) {
            return rv;
        }
        int next = amt_list_next(&pos, end,
                                 "malformed header: white space inside an XFCC element",
                                 "malformed header: trailing comma in XFCC",
                                 reason);
        if (next < 0) return AMT_EMALFORMED;
        if (next > 0) break;
    }

    /* el is the last element */
    if (el.val[K_CERT] == NULL) {
        *reason = "malformed header: XFCC element without Cert";
        return AMT_EMALFORMED;
    }
    if ((rv = decode_pem(&cert, p, el.val[K_CERT], 1, reason))
        != APR_SUCCESS) {
        return rv;
    }
    leaf = &APR_ARRAY_IDX(cert, 0, amt_der_t);
    if (el.val[K_HASH] != NULL
        && (rv = check_hash(leaf, el.val[K_HASH], reason)) != APR_SUCCESS) {
        return rv;
    }
    if (el.val[K_CHAIN] == NULL) {
        *ders = cert;
        return APR_SUCCESS;
    }
    if ((rv = decode_pem(&chain, p, el.val[K_CHAIN], 0, reason))
        != APR_SUCCESS) {
        return rv;
    }
    first = &APR_ARRAY_IDX(chain, 0, amt_der_t);
    if (first->len != leaf->len
        || memcmp(first->data, leaf->data, leaf->len) != 0) {
        *reason = "XFCC Chain does not begin with the Cert certificate";
        return AMT_EMISMATCH;
    }
    *ders = chain;
    return APR_SUCCESS;
}
