/*
 * amt_decode.h - decoding of the forwarded certificate header.
 *
 * An ALB in mTLS passthrough mode sends the client's chain as URL-encoded
 * PEM, leaf first, with '+', '=' and '/' left as they are.  This file turns
 * such a value into DER blobs; it does not parse certificates.
 */
#ifndef AMT_DECODE_H
#define AMT_DECODE_H

#include <apr_pools.h>
#include <apr_tables.h>

/** At most this many certificates in one header. */
#define AMT_MAX_CERTS    10
/** At most this many bytes after percent-decoding. */
#define AMT_MAX_DECODED  (64 * 1024)

typedef struct amt_der_t {
    const unsigned char *data;   /* DER bytes, allocated from the pool */
    apr_size_t len;
} amt_der_t;

/**
 * RFC 3986 percent-decoding: "%XX" (either case) becomes one byte, every
 * other byte, '+' included, stays as it is.  Fails (AMT_EMALFORMED) on a
 * '%' not followed by two hex digits and on a decoded NUL byte.  *out is
 * NUL-terminated; *outlen excludes the terminator.
 */
apr_status_t amt_pct_decode(char **out, apr_size_t *outlen, apr_pool_t *p,
                            const char *in, apr_size_t inlen,
                            const char **reason);

/**
 * Strict base64 (RFC 4648 alphabet, '=' padding only at the end, length a
 * multiple of 4 after whitespace removal by the caller).
 */
apr_status_t amt_base64_decode(unsigned char **out, apr_size_t *outlen,
                               apr_pool_t *p, const char *in, apr_size_t inlen);

/**
 * 1 when a header value carries no certificate: NULL, empty, white space
 * only (space, tab, CR, LF), or "(null)" (what mod_headers sends for an
 * unset variable).  The same rule for every header format.
 */
int amt_value_is_absent(const char *value);

/**
 * Decodes a whole header value into an array of amt_der_t, leaf first.
 *
 * - An empty value, a value of only white space, and "(null)" (what
 *   mod_headers sends for an unset variable) give APR_SUCCESS and an empty
 *   array: no certificate.
 * - A ',' anywhere means two header fields were merged: AMT_EDUPLICATE.
 * - After percent-decoding, the value must be one or more
 *   "-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----" blocks and
 *   white space (space, tab, CR, LF, in any amount, also inside the base64
 *   and between blocks); anything else is AMT_EMALFORMED.
 * - More than AMT_MAX_CERTS blocks: AMT_ETOOMANY; more than AMT_MAX_DECODED
 *   bytes: AMT_ETOOLARGE (checked before decoding work grows).
 *
 * On failure *reason is a short fixed English phrase (no input bytes), fit
 * for "SSL_CLIENT_VERIFY=FAILED:<reason>" and for the error log.
 */
apr_status_t amt_header_decode(apr_array_header_t **ders, apr_pool_t *p,
                               const char *value, const char **reason);

/** Space or horizontal tab: the optional white space (OWS) of RFC 9110
 *  lists and RFC 9651 structured fields. */
int amt_is_ows(int c);

/**
 * Steps over what follows one member of a comma-separated list: optional
 * white space, then either the end of the value (returns 1), or ',' and
 * optional white space before another member (returns 0).  Anything else
 * returns -1 with *reason = not_comma; a ',' with nothing after it returns
 * -1 with *reason = trailing.  *pos advances.
 */
int amt_list_next(const char **pos, const char *end, const char *not_comma,
                  const char *trailing, const char **reason);

#endif
