/*
 * amt_format.h - the header formats (AlbMtlsHeaderFormat): which header
 * fields a format reads, and the one decoding stage that turns their values
 * into a chain (DER certificates, leaf first).  Verification, the variables
 * and the Require providers see only that chain, never the format.
 *
 *   alb         X-Amzn-Mtls-Clientcert: URL-encoded PEM chain (amt_decode.h)
 *   alb-verify  X-Amzn-Mtls-Clientcert-Leaf (the leaf alone) and its
 *               descriptive headers -Subject, -Issuer, -Serial-Number,
 *               -Validity (and CloudFront's -Sha256) (amt_desc.h)
 *   rfc9440     Client-Cert and Client-Cert-Chain (amt_rfc9440.h)
 *   xfcc        X-Forwarded-Client-Cert, the last element (amt_xfcc.h)
 *   base64-der  no default name: plain base64 DER, ',' list (amt_b64der.h)
 */
#ifndef AMT_FORMAT_H
#define AMT_FORMAT_H

#include <apr_pools.h>
#include "amt_chain.h"

typedef enum {
    AMT_FORMAT_UNSET = -1,
    AMT_FORMAT_ALB = 0,
    AMT_FORMAT_ALB_VERIFY,
    AMT_FORMAT_RFC9440,
    AMT_FORMAT_XFCC,
    AMT_FORMAT_BASE64_DER,
    AMT_FORMAT_COUNT
} amt_format_e;

/** The most header fields one format reads (alb-verify: leaf + 5). */
#define AMT_FORMAT_MAX_FIELDS 6

/** The fields one format reads, the first one carrying the leaf. */
typedef struct amt_fields_t {
    amt_format_e format;
    int nfields;
    const char *names[AMT_FORMAT_MAX_FIELDS];
} amt_fields_t;

/** "alb", "alb-verify", "rfc9440", "xfcc", "base64-der" (case-insensitive)
 *  to its value: APR_SUCCESS, or AMT_EBADVALUE with *reason set. */
apr_status_t amt_format_parse(amt_format_e *format, apr_pool_t *p,
                              const char *name, const char **reason);

/** The format's name as AlbMtlsHeaderFormat spells it. */
const char *amt_format_name(amt_format_e format);

/** The format's default header name (the leaf's field), or NULL for
 *  base64-der, which has none. */
const char *amt_format_default_header(amt_format_e format);

/**
 * The fields `format` reads when its first field is `header` (NULL: the
 * default name; must not be NULL for base64-der):
 * - alb, xfcc, base64-der: header alone.
 * - rfc9440: header (Client-Cert), then header + "-Chain".
 * - alb-verify: header (the leaf), then the descriptive headers, named by
 *   replacing the last '-' component of header with -Subject, -Issuer,
 *   -Serial-Number, -Validity and -Sha256 (X-Amzn-Mtls-Clientcert-Leaf
 *   gives X-Amzn-Mtls-Clientcert-Subject, CloudFront-Viewer-Cert-Pem gives
 *   CloudFront-Viewer-Cert-Subject); a name without '-' gets them appended.
 */
void amt_format_fields(amt_fields_t *fields, apr_pool_t *p,
                       amt_format_e format, const char *header);

/**
 * The one decoding stage: values[i] is the value of fields->names[i], or
 * NULL when the request has none.  *chain = NULL (with APR_SUCCESS) when no
 * certificate is present; on failure *reason is a fixed English phrase.
 * alb-verify also checks the descriptive headers against the leaf
 * (amt_desc_check): a disagreement is AMT_EMISMATCH, a descriptive header
 * without the leaf AMT_EMALFORMED.  The limits (AMT_MAX_CERTS,
 * AMT_MAX_DECODED) of the decoders apply to every format.
 */
apr_status_t amt_format_chain(amt_chain_t **chain, apr_pool_t *p,
                              const amt_fields_t *fields,
                              const char *const values[],
                              const char **reason);

/**
 * What the cache key (amt_entry_key) is computed over for these values:
 * *name and the bytes at *value (*len of them).  For alb, the header name and its value
 * as they are (the key of earlier versions); for every other format, a
 * name that no header name can equal ("<format> <header>") and every
 * field's value, length-prefixed, absent fields told apart from empty
 * ones, so that the same chain in two formats, or with other descriptive
 * headers, never shares a key.  *value is NULL when the request has none
 * of the fields.  proxy_verified (AlbMtlsProxyVerified on) adds a word to
 * the name, so a section that trusts the proxy never shares a result with
 * one that verifies.
 */
void amt_format_key_input(const char **name, const char **value,
                          apr_size_t *len, apr_pool_t *p,
                          const amt_fields_t *fields,
                          const char *const values[], int proxy_verified);

#endif
