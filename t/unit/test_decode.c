/*
 * test_decode.c - amt_pct_decode, amt_base64_decode, amt_header_decode and
 * amt_chain_from_header / amt_chain_make on ALB-style header values.
 */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "amt_chain.h"
#include "amt_decode.h"
#include "amt_error.h"
#include "pki.h"
#include "tap.h"

/* A failure reason must exist and must be a fixed phrase: printable ASCII,
 * short, and free of the input (no base64 of a DER, no marker text, no
 * percent-escape). */
static void check_reason(const char *reason, const char *name)
{
    int printable = 1;

    ok(reason != NULL && *reason != '\0', "%s: has a reason", name);
    if (reason == NULL)
        return;
    for (const char *c = reason; *c; c++) {
        if (*c < 0x20 || *c > 0x7e)
            printable = 0;
    }
    ok(printable && strlen(reason) < 120,
       "%s: reason is short printable text (%s)", name, reason);
    ok(strstr(reason, "MI") == NULL && strstr(reason, "XQZ") == NULL
       && strchr(reason, '%') == NULL,
       "%s: reason holds no input bytes", name);
}

/* ---- amt_pct_decode ------------------------------------------------- */

typedef struct {
    const char *name;
    const char *in;
    apr_size_t inlen;        /* 0: strlen(in) */
    const char *out;         /* NULL: must fail with AMT_EMALFORMED */
    apr_size_t outlen;
} pct_case_t;

static const pct_case_t pct_cases[] = {
    { "plain text", "abcXYZ019", 0, "abcXYZ019", 9 },
    { "literal + = /", "a+b=c/d", 0, "a+b=c/d", 7 },
    { "%2B %3D %2F upper", "%2B%3D%2F", 0, "+=/", 3 },
    { "%2b %3d %2f lower", "%2b%3d%2f", 0, "+=/", 3 },
    { "%0A newline", "a%0Ab", 0, "a\nb", 3 },
    { "%0a newline lower", "a%0ab", 0, "a\nb", 3 },
    { "%20 space", "BEGIN%20CERT", 0, "BEGIN CERT", 10 },
    { "raw newline kept", "a\nb\r\nc", 0, "a\nb\r\nc", 6 },
    { "%25 is a percent", "100%25", 0, "100%", 4 },
    { "mixed case hex %c3%A9", "%c3%A9", 0, "\xc3\xa9", 2 },
    { "empty", "", 0, "", 0 },
    { "inlen bounds the input", "abc%41zzz", 3, "abc", 3 },
    { "inlen ends after escape", "abc%41zzz", 6, "abcA", 4 },
    { "bad escape %G1", "XQZ%G1", 0, NULL, 0 },
    { "bad escape %1G", "XQZ%1G", 0, NULL, 0 },
    { "short escape %1", "XQZ%1", 0, NULL, 0 },
    { "lone % at the end", "XQZ%", 0, NULL, 0 },
    { "escape cut by inlen", "XQZ%41", 5, NULL, 0 },
    { "%% is not an escape", "XQZ%%41", 0, NULL, 0 },
    { "%00 NUL byte", "XQZ%00abc", 0, NULL, 0 },
    { "space inside escape", "XQZ% 1", 0, NULL, 0 },
};

static void test_pct(apr_pool_t *p)
{
    for (size_t i = 0; i < sizeof(pct_cases) / sizeof(pct_cases[0]); i++) {
        const pct_case_t *c = &pct_cases[i];
        char *out = NULL;
        apr_size_t outlen = 12345;
        const char *reason = NULL;
        apr_size_t inlen = c->inlen ? c->inlen : strlen(c->in);
        apr_status_t rv = amt_pct_decode(&out, &outlen, p, c->in, inlen,
                                         &reason);

        if (c->out != NULL) {
            is_int(rv, APR_SUCCESS, "pct %s: success", c->name);
            is_int((long long)outlen, (long long)c->outlen,
                   "pct %s: length", c->name);
            ok(out != NULL && memcmp(out, c->out, c->outlen) == 0
               && out[c->outlen] == '\0',
               "pct %s: bytes and terminator", c->name);
        }
        else {
            is_int(rv, AMT_EMALFORMED, "pct %s: AMT_EMALFORMED", c->name);
            check_reason(reason, apr_psprintf(p, "pct %s", c->name));
        }
    }
}

/* ---- amt_base64_decode ---------------------------------------------- */

typedef struct {
    const char *name;
    const char *in;
    const char *out;         /* NULL: must fail */
    apr_size_t outlen;
} b64_case_t;

static const b64_case_t b64_cases[] = {
    { "no padding", "TWFu", "Man", 3 },
    { "one pad", "TWE=", "Ma", 2 },
    { "two pads", "TQ==", "M", 1 },
    { "two groups", "TWFuTWFu", "ManMan", 6 },
    { "+ and /", "+/+/", "\xfb\xff\xbf", 3 },
    { "binary zero", "AAAA", "\0\0\0", 3 },
    { "length not a multiple of 4", "TWF", NULL, 0 },
    { "padding in the middle", "TQ==TWFu", NULL, 0 },
    { "= inside a group", "TW=u", NULL, 0 },
    { "three pads", "T===", NULL, 0 },
    { "bad character !", "TWF!", NULL, 0 },
    { "url-safe alphabet -_", "-_-_", NULL, 0 },
    { "space not removed here", "TW Fu", NULL, 0 },
};

static void test_base64(apr_pool_t *p)
{
    for (size_t i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
        const b64_case_t *c = &b64_cases[i];
        unsigned char *out = NULL;
        apr_size_t outlen = 0;
        apr_status_t rv = amt_base64_decode(&out, &outlen, p, c->in,
                                            strlen(c->in));

        if (c->out != NULL) {
            is_int(rv, APR_SUCCESS, "b64 %s: success", c->name);
            ok(outlen == c->outlen && out != NULL
               && memcmp(out, c->out, c->outlen) == 0,
               "b64 %s: bytes", c->name);
        }
        else {
            ok(rv != APR_SUCCESS, "b64 %s: fails", c->name);
        }
    }
}

/* ---- amt_header_decode ---------------------------------------------- */

/* s with every occurrence of from replaced by to */
static const char *replace(apr_pool_t *p, const char *s, const char *from,
                           const char *to)
{
    const char *out = "";
    const char *hit;
    size_t flen = strlen(from);

    while ((hit = strstr(s, from)) != NULL) {
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, s, (apr_size_t)(hit - s)),
                          to, NULL);
        s = hit + flen;
    }
    return apr_pstrcat(p, out, s, NULL);
}

/* Full RFC 3986 encoding (as nginx's $ssl_client_escaped_cert): only
 * A-Z a-z 0-9 - . _ ~ stay literal; lower selects lower-case hex. */
static const char *pct_encode_all(apr_pool_t *p, const char *s, int lower)
{
    const char *hex = lower ? "0123456789abcdef" : "0123456789ABCDEF";
    char *out = apr_palloc(p, strlen(s) * 3 + 1), *o = out;

    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')
            || (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL) {
            *o++ = (char)*c;
        }
        else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* A PEM CERTIFICATE block around arbitrary bytes (64-column base64). */
static const char *pem_block(apr_pool_t *p, const char *label,
                             const unsigned char *data, apr_size_t len)
{
    char *b64 = apr_palloc(p, 4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)b64, data, (int)len);
    const char *out = apr_psprintf(p, "-----BEGIN %s-----\n", label);

    for (int i = 0; i < n; i += 64)
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, b64 + i,
                                                 (apr_size_t)(n - i < 64
                                                              ? n - i : 64)),
                          "\n", NULL);
    return apr_psprintf(p, "%s-----END %s-----\n", out, label);
}

static const char *spaces(apr_pool_t *p, apr_size_t n)
{
    char *s = apr_palloc(p, n + 1);

    memset(s, ' ', n);
    s[n] = '\0';
    return s;
}

static int der_is(const apr_array_header_t *ders, int i, apr_pool_t *p,
                  X509 *cert)
{
    apr_size_t len;
    unsigned char *der = pki_der(p, cert, &len);
    const amt_der_t *d;

    if (ders == NULL || i >= ders->nelts)
        return 0;
    d = &APR_ARRAY_IDX(ders, i, amt_der_t);
    return d->len == len && memcmp(d->data, der, len) == 0;
}

typedef struct {
    const char *name;
    const char *value;
    apr_status_t rv;
    int count;               /* certificates expected on success */
} hdr_case_t;

static void run_header_case(apr_pool_t *p, const hdr_case_t *c, X509 *leaf,
                            X509 *inter)
{
    apr_array_header_t *ders = NULL;
    const char *reason = NULL;
    apr_status_t rv = amt_header_decode(&ders, p, c->value, &reason);

    if (!is_int(rv, c->rv, "header %s: status", c->name))
        diag("amt_strerror: %s; reason %s", amt_strerror(p, rv),
             tap_escape(reason));
    if (c->rv == APR_SUCCESS) {
        ok(ders != NULL && ders->nelts == c->count,
           "header %s: %d certificate(s) (got %d)", c->name, c->count,
           ders ? ders->nelts : -1);
        if (c->count >= 1)
            ok(der_is(ders, 0, p, leaf), "header %s: leaf DER first",
               c->name);
        if (c->count == 2)
            ok(der_is(ders, 1, p, inter), "header %s: then the intermediate",
               c->name);
    }
    else {
        check_reason(reason, apr_psprintf(p, "header %s", c->name));
    }
}

static void test_header(apr_pool_t *p, pki_cert_t *root, pki_cert_t *inter,
                        pki_cert_t *leaf)
{
    const char *pem = pki_pem_chain(p, leaf->x509, inter->x509, NULL);
    const char *pem1 = pki_pem(p, leaf->x509);
    const char *alb = pki_header(p, leaf->x509, inter->x509, NULL);
    const char *truncated = apr_pstrndup(p, pem1, strlen(pem1) - 26);
    const char *keypem = pki_key_pem(p, leaf->key);
    const char *ten = "", *eleven, *big, *near;
    const char *junk = "this is plainly not a certificate";
    apr_size_t dlen;
    unsigned char *der = pki_der(p, leaf->x509, &dlen);
    unsigned char *padded = apr_palloc(p, dlen + 3);

    memcpy(padded, der, dlen);
    memcpy(padded + dlen, "\0\0\1", 3);

    for (int i = 0; i < 10; i++)
        ten = apr_pstrcat(p, ten, i == 0 ? pem1
                          : pki_pem(p, i % 2 ? inter->x509 : root->x509),
                          NULL);
    eleven = apr_pstrcat(p, ten, pki_pem(p, root->x509), NULL);
    /* one certificate padded with white space to exactly the limit, and to
     * one byte more */
    near = apr_pstrcat(p, pem1, spaces(p, AMT_MAX_DECODED - strlen(pem1)),
                       NULL);
    big = apr_pstrcat(p, near, " ", NULL);

    {
        const hdr_case_t cases[] = {
            { "ALB encoding", alb, APR_SUCCESS, 2 },
            { "ALB encoding one cert", pki_header(p, leaf->x509, NULL),
              APR_SUCCESS, 1 },
            { "raw PEM", pem, APR_SUCCESS, 2 },
            { "newlines as spaces", replace(p, pem, "\n", " "),
              APR_SUCCESS, 2 },
            { "newlines as tabs", replace(p, pem, "\n", "\t"),
              APR_SUCCESS, 2 },
            { "newlines as %20", replace(p, alb, "%0A", "%20"),
              APR_SUCCESS, 2 },
            { "CRLF", replace(p, pem, "\n", "\r\n"), APR_SUCCESS, 2 },
            { "%0D%0A", replace(p, alb, "%0A", "%0D%0A"), APR_SUCCESS, 2 },
            { "lower-case %0a", replace(p, alb, "%0A", "%0a"),
              APR_SUCCESS, 2 },
            { "full RFC 3986 upper (%2B %3D %2F)", pct_encode_all(p, pem, 0),
              APR_SUCCESS, 2 },
            { "full RFC 3986 lower (%2b %3d %2f)", pct_encode_all(p, pem, 1),
              APR_SUCCESS, 2 },
            { "no final newline", apr_pstrndup(p, pem, strlen(pem) - 1),
              APR_SUCCESS, 2 },
            { "white space around and between",
              apr_pstrcat(p, " \r\n\t", pem1, "\n\n \t\r\n",
                          pki_pem(p, inter->x509), "  \n\n", NULL),
              APR_SUCCESS, 2 },
            { "no white space between blocks",
              apr_pstrcat(p, apr_pstrndup(p, pem1, strlen(pem1) - 1),
                          pki_pem(p, inter->x509), NULL),
              APR_SUCCESS, 2 },
            { "empty", "", APR_SUCCESS, 0 },
            { "(null)", "(null)", APR_SUCCESS, 0 },
            { "white space only", " \t \r\n ", APR_SUCCESS, 0 },
            { "10 certificates", ten, APR_SUCCESS, 10 },
            { "exactly 64 KiB", near, APR_SUCCESS, 1 },
            { "11 certificates", eleven, AMT_ETOOMANY, 0 },
            { "64 KiB + 1 byte", big, AMT_ETOOLARGE, 0 },
            { "more than 64 KiB encoded", pki_alb_encode(p, big),
              AMT_ETOOLARGE, 0 },
            { "comma-merged duplicate", apr_pstrcat(p, alb, ", ", alb, NULL),
              AMT_EDUPLICATE, 0 },
            { "comma-merged with empty", apr_pstrcat(p, alb, ",", NULL),
              AMT_EDUPLICATE, 0 },
            { "bad escape %G1", apr_pstrcat(p, alb, "%G1", NULL),
              AMT_EMALFORMED, 0 },
            { "short escape %1", apr_pstrcat(p, "%1", alb, NULL),
              AMT_EMALFORMED, 0 },
            { "lone % at the end", apr_pstrcat(p, alb, "%", NULL),
              AMT_EMALFORMED, 0 },
            { "%00", apr_pstrcat(p, alb, "%00", NULL), AMT_EMALFORMED, 0 },
            { "%00 inside base64", replace(p, alb, "%0A", "%00"),
              AMT_EMALFORMED, 0 },
            { "truncated PEM (no END line)", truncated, AMT_EMALFORMED, 0 },
            { "only a BEGIN line", "-----BEGIN CERTIFICATE-----\n",
              AMT_EMALFORMED, 0 },
            { "non-PEM text", "XQZ hello world", AMT_EMALFORMED, 0 },
            { "text before the block", apr_pstrcat(p, "XQZ\n", pem, NULL),
              AMT_EMALFORMED, 0 },
            { "text after the block", apr_pstrcat(p, pem, "XQZ\n", NULL),
              AMT_EMALFORMED, 0 },
            { "text between blocks",
              apr_pstrcat(p, pem1, "XQZ\n", pki_pem(p, inter->x509), NULL),
              AMT_EMALFORMED, 0 },
            { "BEGIN PRIVATE KEY block", keypem, AMT_EMALFORMED, 0 },
            { "certificate then private key",
              apr_pstrcat(p, pem1, keypem, NULL), AMT_EMALFORMED, 0 },
            { "bad base64 character",
              "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n"
              "-----END CERTIFICATE-----\n", AMT_EMALFORMED, 0 },
            { "base64 length not a multiple of 4",
              "-----BEGIN CERTIFICATE-----\nMIIBAAA\n"
              "-----END CERTIFICATE-----\n", AMT_EMALFORMED, 0 },
            { "END without BEGIN", "-----END CERTIFICATE-----\n",
              AMT_EMALFORMED, 0 },
            { "END label differs",
              replace(p, pem1, "END CERTIFICATE", "END X509 CRL"),
              AMT_EMALFORMED, 0 },
            { "text after the BEGIN line's dashes",
              replace(p, pem1, "-----BEGIN CERTIFICATE-----",
                      "-----BEGIN CERTIFICATE-----XQZ"),
              AMT_EMALFORMED, 0 },
            { "lower-case BEGIN line",
              replace(p, pem1, "BEGIN CERTIFICATE", "begin certificate"),
              AMT_EMALFORMED, 0 },
            { "BEGIN TRUSTED CERTIFICATE",
              replace(p, pem1, "CERTIFICATE", "TRUSTED CERTIFICATE"),
              AMT_EMALFORMED, 0 },
            { "padding inside the base64",
              "-----BEGIN CERTIFICATE-----\nTQ==TWFu\n"
              "-----END CERTIFICATE-----\n", AMT_EMALFORMED, 0 },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            run_header_case(p, &cases[i], leaf->x509, inter->x509);
    }

    /* ---- amt_chain_from_header / amt_chain_make --------------------- */
    {
        amt_chain_t *chain = NULL;
        const char *reason = NULL;
        apr_status_t rv;
        apr_array_header_t *ders = NULL;

        rv = amt_chain_from_header(&chain, p, alb, &reason);
        is_int(rv, APR_SUCCESS, "chain: good chain parses");
        ok(chain != NULL && chain->leaf != NULL
           && X509_cmp(chain->leaf, leaf->x509) == 0,
           "chain: leaf is the first certificate");
        ok(chain != NULL && chain->sent != NULL
           && sk_X509_num(chain->sent) == 1
           && X509_cmp(sk_X509_value(chain->sent, 0), inter->x509) == 0,
           "chain: one certificate sent after the leaf (the intermediate)");

        chain = NULL;
        rv = amt_chain_from_header(&chain, p, ten, &reason);
        is_int(rv, APR_SUCCESS, "chain: 10 certificates parse");
        ok(chain != NULL && chain->sent != NULL
           && sk_X509_num(chain->sent) == 9, "chain: 9 sent after the leaf");

        chain = NULL;
        rv = amt_chain_from_header(&chain, p, pki_header(p, leaf->x509, NULL),
                                   &reason);
        ok(rv == APR_SUCCESS && chain != NULL && chain->sent != NULL
           && sk_X509_num(chain->sent) == 0,
           "chain: leaf only gives an empty, non-NULL sent stack");

        chain = (amt_chain_t *)1;
        rv = amt_chain_from_header(&chain, p, "", &reason);
        ok(rv == APR_SUCCESS && chain == NULL,
           "chain: empty value gives success and no chain");
        chain = (amt_chain_t *)1;
        rv = amt_chain_from_header(&chain, p, "(null)", &reason);
        ok(rv == APR_SUCCESS && chain == NULL,
           "chain: (null) gives success and no chain");

        chain = NULL;
        reason = NULL;
        rv = amt_chain_from_header(&chain, p,
                                   pki_alb_encode(p, pem_block(p,
                                       "CERTIFICATE",
                                       (const unsigned char *)junk,
                                       strlen(junk))), &reason);
        is_int(rv, AMT_EBADCERT, "chain: garbage inside valid base64");
        check_reason(reason, "chain garbage");

        reason = NULL;
        rv = amt_chain_from_header(&chain, p,
                                   pem_block(p, "CERTIFICATE", padded,
                                             dlen + 3), &reason);
        is_int(rv, AMT_EBADCERT, "chain: DER with 3 trailing bytes");
        check_reason(reason, "chain trailing bytes");

        reason = NULL;
        rv = amt_chain_from_header(&chain, p,
                                   pem_block(p, "CERTIFICATE", der, dlen - 8),
                                   &reason);
        is_int(rv, AMT_EBADCERT, "chain: truncated DER");
        check_reason(reason, "chain truncated DER");

        reason = NULL;
        rv = amt_chain_from_header(&chain, p,
                                   apr_pstrcat(p, pem1,
                                               pem_block(p, "CERTIFICATE",
                                                   (const unsigned char *)junk,
                                                   strlen(junk)), NULL),
                                   &reason);
        is_int(rv, AMT_EBADCERT, "chain: good leaf, garbage second block");

        reason = NULL;
        reason = NULL;
        rv = amt_chain_from_header(&chain, p,
                                   "-----BEGIN CERTIFICATE-----\n"
                                   "-----END CERTIFICATE-----\n", &reason);
        ok(rv != APR_SUCCESS, "chain: empty PEM body fails (%s)",
           amt_strerror(p, rv));
        check_reason(reason, "chain empty body");

        reason = NULL;
        rv = amt_chain_from_header(&chain, p,
                                   replace(p, alb, "%0A-----BEGIN",
                                           "%2C-----BEGIN"), &reason);
        ok(rv != APR_SUCCESS, "chain: an encoded comma between blocks fails "
           "(%s)", amt_strerror(p, rv));
        check_reason(reason, "chain encoded comma");

        reason = NULL;
        rv = amt_chain_from_header(&chain, p, eleven, &reason);
        is_int(rv, AMT_ETOOMANY, "chain: decode errors pass through");
        check_reason(reason, "chain too many");

        rv = amt_header_decode(&ders, p, pem, &reason);
        is_int(rv, APR_SUCCESS, "chain_make: decode for it");
        chain = NULL;
        rv = amt_chain_make(&chain, p, ders, &reason);
        ok(rv == APR_SUCCESS && chain != NULL
           && X509_cmp(chain->leaf, leaf->x509) == 0
           && sk_X509_num(chain->sent) == 1,
           "chain_make: leaf + 1 from the decoded array");

        ders = apr_array_make(p, 1, sizeof(amt_der_t));
        rv = amt_chain_make(&chain, p, ders, &reason);
        is_int(rv, APR_EINVAL, "chain_make: empty array is APR_EINVAL");
    }
}

static void test_strerror(apr_pool_t *p)
{
    const apr_status_t codes[] = {
        AMT_EMALFORMED, AMT_ETOOMANY, AMT_ETOOLARGE, AMT_EBADCERT,
        AMT_EDUPLICATE, AMT_ETRUST, AMT_EOPENSSL, AMT_EBADVALUE
    };
    const char *seen[8];

    for (size_t i = 0; i < 8; i++) {
        int unique = 1;

        seen[i] = amt_strerror(p, codes[i]);
        for (size_t j = 0; j < i; j++) {
            if (seen[j] && seen[i] && strcmp(seen[i], seen[j]) == 0)
                unique = 0;
        }
        ok(seen[i] != NULL && *seen[i] && unique,
           "amt_strerror names code %d distinctly (%s)",
           (int)(codes[i] - AMT_ERROR_BASE), tap_escape(seen[i]));
    }
    contains_str(amt_strerror(p, APR_ENOENT),
                 "No such file",
                 "amt_strerror falls back to apr_strerror");
}

int main(void)
{
    apr_pool_t *p;
    pki_cert_t *root, *inter, *leaf;
    int rc;

    apr_initialize();
    apr_pool_create(&p, NULL);

    root = pki_root(p, "Decode Root CA");
    inter = pki_intermediate(p, "Decode Intermediate CA", root);
    leaf = pki_leaf(p, "decode-leaf", inter);

    test_pct(p);
    test_base64(p);
    test_header(p, root, inter, leaf);
    test_strerror(p);

    rc = done_testing();
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
