/*
 * amt_desc.c - the leaf-only header and its descriptions (see amt_desc.h).
 */
#include <string.h>
#include <apr_strings.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include "amt_decode.h"
#include "amt_desc.h"
#include "amt_digest.h"
#include "amt_error.h"

apr_status_t amt_leaf_decode(apr_array_header_t **ders, apr_pool_t *p,
                             const char *value, const char **reason)
{
    apr_status_t rv = amt_header_decode(ders, p, value, reason);

    if (rv == APR_SUCCESS && (*ders)->nelts > 1) {
        *reason = "malformed header: more than the leaf in a leaf-only header";
        return AMT_EMALFORMED;
    }
    return rv;
}

static const char *name_string(apr_pool_t *p, const X509_NAME *name,
                               unsigned long flags)
{
    BIO *bio = BIO_new(BIO_s_mem());
    const char *out = NULL;
    char *data;
    long len;

    if (bio == NULL) return NULL;
    if (X509_NAME_print_ex(bio, name, 0, flags) >= 0
        && (len = BIO_get_mem_data(bio, &data)) >= 0) {
        out = apr_pstrmemdup(p, data, (apr_size_t)len);
    }
    BIO_free(bio);
    return out;
}

static int name_matches(apr_pool_t *p, const X509_NAME *name, const char *s)
{
    const char *a = name_string(p, name, XN_FLAG_RFC2253);
    const char *b = name_string(p, name, XN_FLAG_RFC2253
                                         & ~ASN1_STRFLGS_ESC_MSB);

    return (a != NULL && strcmp(a, s) == 0) || (b != NULL && strcmp(b, s) == 0);
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
           || (c >= 'A' && c <= 'F');
}

/* Hex digits with optional ':' between pairs ("03:a5:b1" or "03A5B1"):
 * returns the digits alone (upper case), or NULL when s is not that. */
static char *hex_digits(apr_pool_t *p, const char *s)
{
    apr_size_t len = strlen(s), i, n = 0, run = 0;
    int colons = strchr(s, ':') != NULL;
    char *out = apr_palloc(p, len + 1);

    if (len == 0) return NULL;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':') {
            /* only after a complete pair and before more digits */
            if (run != 2 || i + 1 == len) return NULL;
            run = 0;
            continue;
        }
        if (!is_hex(c)) return NULL;
        out[n++] = (char)((c >= 'a' && c <= 'f') ? c - 'a' + 'A' : c);
        run++;
        if (colons && run > 2) return NULL;
    }
    if (colons && run != 2) return NULL;
    out[n] = '\0';
    return out;
}

static const char *skip_zeros(const char *s)
{
    while (s[0] == '0' && s[1] != '\0') s++;
    return s;
}

static apr_status_t check_serial(apr_pool_t *p, X509 *leaf, const char *hdr,
                                 const char **reason)
{
    const char *want = hex_digits(p, hdr);
    BIGNUM *bn;
    char *hex;
    int same;

    if (want == NULL) {
        *reason = "malformed header: bad Serial-Number header";
        return AMT_EMALFORMED;
    }
    bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
    hex = bn ? BN_bn2hex(bn) : NULL;
    BN_free(bn);
    if (hex == NULL) {
        *reason = "cannot read the certificate's serial number";
        return AMT_EOPENSSL;
    }
    /* BN_bn2hex: upper case, "-" for a negative serial (never matches) */
    same = strcmp(skip_zeros(hex), skip_zeros(want)) == 0;
    OPENSSL_free(hex);
    if (!same) {
        *reason = "Serial-Number header disagrees with the certificate";
        return AMT_EMISMATCH;
    }
    return APR_SUCCESS;
}

/* "YYYY-MM-DDTHH:MM:SSZ" at s (20 bytes) -> "YYYYMMDDHHMMSSZ" in out[16] */
static int iso_to_generalized(const char *s, char *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    int i, n = 0;

    for (i = 0; i < 20; i++) {
        if (shape[i] == 'd') {
            if (s[i] < '0' || s[i] > '9') return 0;
            out[n++] = s[i];
        }
        else if (s[i] != shape[i]) {
            return 0;
        }
    }
    out[n++] = 'Z';
    out[n] = '\0';
    return 1;
}

static int time_equals(const char *gen, const ASN1_TIME *t, int *bad)
{
    ASN1_TIME *h = ASN1_TIME_new();
    int same = 0;

    if (h == NULL || !ASN1_TIME_set_string(h, gen)) {
        *bad = 1;
    }
    else {
        same = ASN1_TIME_compare(h, t) == 0;
    }
    ASN1_TIME_free(h);
    return same;
}

static apr_status_t check_validity(X509 *leaf, const char *hdr,
                                   const char **reason)
{
    static const char nb[] = "NotBefore=", na[] = ";NotAfter=";
    char before[16], after[16];
    int bad = 0, same;

    if (strlen(hdr) != (sizeof(nb) - 1) + 20 + (sizeof(na) - 1) + 20
        || memcmp(hdr, nb, sizeof(nb) - 1) != 0
        || !iso_to_generalized(hdr + sizeof(nb) - 1, before)
        || memcmp(hdr + sizeof(nb) - 1 + 20, na, sizeof(na) - 1) != 0
        || !iso_to_generalized(hdr + sizeof(nb) - 1 + 20 + sizeof(na) - 1,
                               after)) {
        *reason = "malformed header: bad Validity header";
        return AMT_EMALFORMED;
    }
    same = time_equals(before, X509_get0_notBefore(leaf), &bad);
    same = time_equals(after, X509_get0_notAfter(leaf), &bad) && same;
    if (bad) {
        *reason = "malformed header: bad Validity header";
        return AMT_EMALFORMED;
    }
    if (!same) {
        *reason = "Validity header disagrees with the certificate";
        return AMT_EMISMATCH;
    }
    return APR_SUCCESS;
}

static apr_status_t check_sha256(apr_pool_t *p, X509 *leaf, const char *hdr,
                                 const char **reason)
{
    const char *want = hex_digits(p, hdr);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;
    char hex[65];

    if (want == NULL || strlen(want) != 64) {
        *reason = "malformed header: bad Sha256 header";
        return AMT_EMALFORMED;
    }
    if (!X509_digest(leaf, amt_sha256(), md, &len) || len != 32) {
        *reason = "cannot compute SHA-256";
        return AMT_EOPENSSL;
    }
    for (i = 0; i < 32; i++) {
        static const char digits[] = "0123456789ABCDEF";
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 0x0f];
    }
    hex[64] = '\0';
    if (strcmp(hex, want) != 0) {
        *reason = "Sha256 header disagrees with the certificate";
        return AMT_EMISMATCH;
    }
    return APR_SUCCESS;
}

apr_status_t amt_desc_check(apr_pool_t *p, X509 *leaf, const amt_desc_t *desc,
                            const char **reason)
{
    apr_status_t rv;

    *reason = NULL;
    if (desc->subject != NULL
        && !name_matches(p, X509_get_subject_name(leaf), desc->subject)) {
        *reason = "Subject header disagrees with the certificate";
        return AMT_EMISMATCH;
    }
    if (desc->issuer != NULL
        && !name_matches(p, X509_get_issuer_name(leaf), desc->issuer)) {
        *reason = "Issuer header disagrees with the certificate";
        return AMT_EMISMATCH;
    }
    if (desc->serial != NULL
        && (rv = check_serial(p, leaf, desc->serial, reason)) != APR_SUCCESS) {
        return rv;
    }
    if (desc->validity != NULL
        && (rv = check_validity(leaf, desc->validity, reason)) != APR_SUCCESS) {
        return rv;
    }
    if (desc->sha256 != NULL
        && (rv = check_sha256(p, leaf, desc->sha256, reason)) != APR_SUCCESS) {
        return rv;
    }
    return APR_SUCCESS;
}
