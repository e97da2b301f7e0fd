/*
 * test_formats.c - the decoders of the other header formats:
 * amt_rfc9440_decode, amt_xfcc_decode, amt_b64der_decode, amt_leaf_decode
 * and amt_desc_check, on values built from run-time certificates, good and
 * hostile.
 */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/evp.h>

#include "amt_b64der.h"
#include "amt_chain.h"
#include "amt_decode.h"
#include "amt_desc.h"
#include "amt_rfc9440.h"
#include "amt_error.h"
#include "amt_vars.h"
#include "amt_xfcc.h"
#include "pki.h"
#include "tap.h"

static apr_pool_t *pool;
static X509 *L, *I, *R, *O;   /* leaf, intermediate, root, other leaf */

/* ---- helpers -------------------------------------------------------- */

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
    ok(printable && strlen(reason) < 120 && strstr(reason, "MI") == NULL
       && strchr(reason, '%') == NULL,
       "%s: reason is short fixed text (%s)", name, reason);
}

static const char *b64(X509 *x)
{
    apr_size_t len;
    unsigned char *der = pki_der(pool, x, &len);
    char *out = apr_palloc(pool, 4 * ((len + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, der, (int)len);
    return out;
}

static const char *sf(X509 *x)
{
    return apr_pstrcat(pool, ":", b64(x), ":", NULL);
}

/* s with every occurrence of from replaced by to */
static const char *replace(const char *s, const char *from, const char *to)
{
    const char *out = "", *hit;
    size_t flen = strlen(from);

    while ((hit = strstr(s, from)) != NULL) {
        out = apr_pstrcat(pool, out,
                          apr_pstrmemdup(pool, s, (apr_size_t)(hit - s)),
                          to, NULL);
        s = hit + flen;
    }
    return apr_pstrcat(pool, out, s, NULL);
}

/* only A-Z a-z 0-9 - . _ ~ literal (nginx, current Envoy) */
static const char *pct_all(const char *s)
{
    char *out = apr_palloc(pool, strlen(s) * 3 + 1), *o = out;

    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')
            || (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL) {
            *o++ = (char)*c;
        }
        else {
            sprintf(o, "%%%02X", *c);
            o += 3;
        }
    }
    *o = '\0';
    return out;
}

static const char *repeat(const char *s, int n, const char *sep)
{
    const char *out = "";

    for (int i = 0; i < n; i++)
        out = apr_pstrcat(pool, out, i ? sep : "", s, NULL);
    return out;
}

static const char *spaces(apr_size_t n)
{
    char *s = apr_palloc(pool, n + 1);

    memset(s, ' ', n);
    s[n] = '\0';
    return s;
}

/* ders holds exactly the certificates of want (NULL-terminated), in order */
static int ders_are(const apr_array_header_t *ders, X509 *const *want)
{
    int n = 0;

    for (; want[n] != NULL; n++) {
        apr_size_t len;
        unsigned char *der = pki_der(pool, want[n], &len);
        const amt_der_t *d;

        if (ders == NULL || n >= ders->nelts)
            return 0;
        d = &APR_ARRAY_IDX(ders, n, amt_der_t);
        if (d->len != len || memcmp(d->data, der, len) != 0)
            return 0;
    }
    return ders != NULL && ders->nelts == n;
}

typedef struct {
    const char *name;
    const char *a;           /* the value (rfc9440: Client-Cert) */
    const char *b;           /* rfc9440: Client-Cert-Chain (NULL: none) */
    apr_status_t rv;
    X509 *want[12];          /* on success: the certificates, in order */
} fcase_t;

enum { F_RFC9440, F_XFCC, F_B64DER, F_LEAF };
static const char *const fname[] = { "rfc9440", "xfcc", "base64-der",
                                     "leaf" };

static void run(int fmt, const fcase_t *c)
{
    apr_array_header_t *ders = NULL;
    const char *reason = NULL;
    apr_status_t rv = APR_EGENERAL;
    const char *name = apr_psprintf(pool, "%s %s", fname[fmt], c->name);

    switch (fmt) {
    case F_RFC9440: rv = amt_rfc9440_decode(&ders, pool, c->a, c->b, &reason);
                    break;
    case F_XFCC:    rv = amt_xfcc_decode(&ders, pool, c->a, &reason); break;
    case F_B64DER:  rv = amt_b64der_decode(&ders, pool, c->a, &reason); break;
    case F_LEAF:    rv = amt_leaf_decode(&ders, pool, c->a, &reason); break;
    }
    if (!is_int(rv, c->rv, "%s: status", name))
        diag("got %s (%s)", amt_strerror(pool, rv), tap_escape(reason));
    if (c->rv == APR_SUCCESS) {
        if (!ok(ders_are(ders, c->want), "%s: %d certificate(s) in order",
                name, ders ? ders->nelts : -1))
            diag("got %d", ders ? ders->nelts : -1);
        if (ders != NULL && ders->nelts > 0) {
            amt_chain_t *chain = NULL;
            ok(amt_chain_make(&chain, pool, ders, &reason) == APR_SUCCESS,
               "%s: the DER parses as certificates", name);
        }
    }
    else {
        check_reason(reason, name);
    }
}

#define RUN(fmt, cases) \
    for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases[0]); i_++) \
        run(fmt, &cases[i_])

/* ---- RFC 9440 ------------------------------------------------------- */

static void test_rfc9440(void)
{
    const char *l = sf(L), *i = sf(I), *r = sf(R);
    const char *bl = b64(L);
    const char *ten = repeat(i, 9, ", ");
    const char *big = apr_pstrcat(pool, l, spaces(AMT_MAX_DECODED), NULL);
    const fcase_t cases[] = {
        { "leaf alone", l, NULL, APR_SUCCESS, { L } },
        { "leaf + chain", l, apr_pstrcat(pool, i, ", ", r, NULL),
          APR_SUCCESS, { L, I, R } },
        { "chain without spaces", l, apr_pstrcat(pool, i, ",", r, NULL),
          APR_SUCCESS, { L, I, R } },
        { "chain with tabs (OWS)", l,
          apr_pstrcat(pool, i, "\t,\t", r, "\t", NULL),
          APR_SUCCESS, { L, I, R } },
        { "leading and trailing SP", apr_pstrcat(pool, "  ", l, "  ", NULL),
          apr_pstrcat(pool, " ", i, " ", NULL), APR_SUCCESS, { L, I } },
        { "empty chain value", l, "", APR_SUCCESS, { L } },
        { "chain in the wrong order is kept", l,
          apr_pstrcat(pool, r, ", ", i, NULL), APR_SUCCESS, { L, R, I } },
        { "leaf + 9 = 10 certificates", l, ten, APR_SUCCESS,
          { L, I, I, I, I, I, I, I, I, I } },
        { "empty", "", NULL, APR_SUCCESS, { NULL } },
        { "SP only, both", "   ", " ", APR_SUCCESS, { NULL } },
        { "NULL", NULL, NULL, APR_SUCCESS, { NULL } },
        { "leaf + 10 = 11 certificates", l,
          apr_pstrcat(pool, ten, ", ", i, NULL), AMT_ETOOMANY, { NULL } },
        { "over 64 KiB", big, NULL, AMT_ETOOLARGE, { NULL } },
        { "chain without Client-Cert", "", i, AMT_EMALFORMED, { NULL } },
        { "two Client-Cert merged", apr_pstrcat(pool, l, ", ", l, NULL),
          NULL, AMT_EDUPLICATE, { NULL } },
        { "missing colons", bl, NULL, AMT_EMALFORMED, { NULL } },
        { "missing closing colon", apr_pstrcat(pool, ":", bl, NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "missing opening colon", apr_pstrcat(pool, bl, ":", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "PEM instead of a byte sequence", pki_header(pool, L, NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "url-safe alphabet", replace(replace(l, "+", "-"), "/", "_"), NULL,
          AMT_EMALFORMED, { NULL } },
        /* 'M' begins every DER certificate's base64 ("MII..."), while a
         * '+' is missing from about one random leaf in 60 */
        { "percent-encoded base64", replace(l, "M", "%4D"), NULL,
          AMT_EMALFORMED, { NULL } },
        { "space inside", apr_pstrcat(pool, ":", apr_pstrndup(pool, bl, 8),
                                      " ", bl + 8, ":", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "newline inside", apr_pstrcat(pool, ":", apr_pstrndup(pool, bl, 64),
                                        "\n", bl + 64, ":", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "leading tab (SP only)", apr_pstrcat(pool, "\t", l, NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "trailing tab (SP only)", apr_pstrcat(pool, l, "\t", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "padding removed", ":TQ:", NULL, AMT_EMALFORMED, { NULL } },
        { "padding removed (2 of 3 bytes)", ":TWE:", NULL, AMT_EMALFORMED,
          { NULL } },
        { "empty byte sequence", "::", NULL, AMT_EMALFORMED, { NULL } },
        { "empty byte sequence in chain", l, "::", AMT_EMALFORMED, { NULL } },
        { "a string item", "\"MIIB\"", NULL, AMT_EMALFORMED, { NULL } },
        { "a token item", "MIIB", NULL, AMT_EMALFORMED, { NULL } },
        { "parameter on Client-Cert", apr_pstrcat(pool, l, ";a=1", NULL),
          NULL, AMT_EMALFORMED, { NULL } },
        { "parameter on a chain member", l,
          apr_pstrcat(pool, i, ";a, ", r, NULL), AMT_EMALFORMED, { NULL } },
        { "parameter on the last chain member", l,
          apr_pstrcat(pool, i, ";a=?1", NULL), AMT_EMALFORMED, { NULL } },
        { "inner list in chain", l, apr_pstrcat(pool, "(", i, ")", NULL),
          AMT_EMALFORMED, { NULL } },
        { "empty list member", l, apr_pstrcat(pool, i, ", , ", r, NULL),
          AMT_EMALFORMED, { NULL } },
        { "leading comma", l, apr_pstrcat(pool, ", ", i, NULL),
          AMT_EMALFORMED, { NULL } },
        { "trailing comma", l, apr_pstrcat(pool, i, ",", NULL),
          AMT_EMALFORMED, { NULL } },
        { "trailing comma and space", l, apr_pstrcat(pool, i, ", ", NULL),
          AMT_EMALFORMED, { NULL } },
        { "members without comma", l, apr_pstrcat(pool, i, " ", r, NULL),
          AMT_EMALFORMED, { NULL } },
        { "text after the item", apr_pstrcat(pool, l, "x", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "NUL cuts the value", ":MII\0B:", NULL, AMT_EMALFORMED, { NULL } },
        { "byte 0x80 inside", apr_pstrcat(pool, ":\x80", bl, ":", NULL),
          NULL, AMT_EMALFORMED, { NULL } },
        { "DEL inside", apr_pstrcat(pool, ":\x7f", bl, ":", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "length not a multiple of 4", ":TWF:", NULL, AMT_EMALFORMED,
          { NULL } },
        { "non-zero pad bits", ":TR==:", NULL, AMT_EMALFORMED, { NULL } },
        { "(null) is no certificate", "(null)", NULL, APR_SUCCESS, { NULL } },
    };

    RUN(F_RFC9440, cases);
}

/* ---- XFCC ----------------------------------------------------------- */

static const char *hash_of(X509 *x)
{
    return amt_cert_sha256_hex(pool, x);
}

static void test_xfcc(void)
{
    const char *cert = pki_header(pool, L, NULL);
    const char *chain = pki_header(pool, L, I, NULL);
    const char *h = hash_of(L);
    const char *el = apr_psprintf(pool,
        "By=spiffe://example.org/front;Hash=%s;Cert=\"%s\";Chain=\"%s\";"
        "Subject=\"CN=leaf,O=Acme\\, Inc.\";URI=spiffe://example.org/c;"
        "DNS=a.example;DNS=b.example", h, cert, chain);
    const char *other = apr_psprintf(pool, "Hash=%s;Cert=\"%s\"", hash_of(O),
                                     pki_header(pool, O, NULL));
    const char *big = apr_psprintf(pool, "Cert=\"%s%s\"", cert,
                                   spaces(AMT_MAX_DECODED));
    const char *eleven = apr_psprintf(pool, "Cert=\"%s\";Chain=\"%s%s\"",
        cert, chain, repeat(pki_header(pool, I, NULL), 9, ""));
    const fcase_t cases[] = {
        { "full element (Envoy docs' keys)", el, NULL, APR_SUCCESS,
          { L, I } },
        { "Cert alone", apr_psprintf(pool, "Cert=\"%s\"", cert), NULL,
          APR_SUCCESS, { L } },
        { "Cert unquoted", apr_psprintf(pool, "Cert=%s", cert), NULL,
          APR_SUCCESS, { L } },
        { "Hash upper case",
          apr_psprintf(pool, "Hash=%s;Cert=\"%s\"",
                       apr_pstrdup(pool, h), cert), NULL, APR_SUCCESS,
          { L } },
        { "keys in lower case",
          apr_psprintf(pool, "hash=%s;cert=\"%s\";chain=\"%s\"", h, cert,
                       chain), NULL, APR_SUCCESS, { L, I } },
        { "fully percent-encoded PEM",
          apr_psprintf(pool, "Hash=%s;Cert=\"%s\"", h,
                       pct_all(pki_pem(pool, L))), NULL, APR_SUCCESS, { L } },
        { "escaped quote in Subject",
          apr_psprintf(pool, "Cert=\"%s\";Subject=\"CN=a\\\"b;c=d,e\"", cert),
          NULL, APR_SUCCESS, { L } },
        { "the last of three elements is used",
          apr_psprintf(pool, "%s,%s, %s", other, other, el), NULL,
          APR_SUCCESS, { L, I } },
        { "the last element is used, not the first",
          apr_psprintf(pool, "%s,%s", el, other), NULL, APR_SUCCESS, { O } },
        { "an earlier element without Cert",
          apr_psprintf(pool, "By=x;Hash=%s, %s", h, el), NULL, APR_SUCCESS,
          { L, I } },
        { "empty URI value", apr_psprintf(pool, "URI=;Cert=\"%s\"", cert),
          NULL, APR_SUCCESS, { L } },
        { "chain in the wrong order is kept",
          apr_psprintf(pool, "Cert=\"%s\";Chain=\"%s\"", cert,
                       pki_header(pool, L, R, I, NULL)), NULL, APR_SUCCESS,
          { L, R, I } },
        { "empty", "", NULL, APR_SUCCESS, { NULL } },
        { "white space only", " \t ", NULL, APR_SUCCESS, { NULL } },
        { "no Cert", apr_psprintf(pool, "By=x;Hash=%s", h), NULL,
          AMT_EMALFORMED, { NULL } },
        { "last element has no Cert",
          apr_psprintf(pool, "%s,By=x;Hash=%s", el, h), NULL,
          AMT_EMALFORMED, { NULL } },
        { "Hash mismatch",
          apr_psprintf(pool, "Hash=%s;Cert=\"%s\"", hash_of(O), cert), NULL,
          AMT_EMISMATCH, { NULL } },
        { "Hash one digit short",
          apr_psprintf(pool, "Hash=%.63s;Cert=\"%s\"", h, cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "Hash not hex",
          apr_psprintf(pool, "Hash=%.63sg;Cert=\"%s\"", h, cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "Chain not beginning with Cert",
          apr_psprintf(pool, "Cert=\"%s\";Chain=\"%s\"", cert,
                       pki_header(pool, I, L, NULL)), NULL, AMT_EMISMATCH,
          { NULL } },
        { "Chain of another leaf",
          apr_psprintf(pool, "Cert=\"%s\";Chain=\"%s\"", cert,
                       pki_header(pool, O, I, NULL)), NULL, AMT_EMISMATCH,
          { NULL } },
        { "Cert with two certificates",
          apr_psprintf(pool, "Cert=\"%s\"", chain), NULL, AMT_EMALFORMED,
          { NULL } },
        { "repeated Cert (injection)",
          apr_psprintf(pool, "Cert=\"%s\";Cert=\"%s\"", cert,
                       pki_header(pool, O, NULL)), NULL, AMT_EMALFORMED,
          { NULL } },
        { "repeated Hash", apr_psprintf(pool, "Hash=%s;Hash=%s;Cert=\"%s\"",
                                        h, h, cert), NULL, AMT_EMALFORMED,
          { NULL } },
        { "empty Cert", "Cert=\"\"", NULL, AMT_EMALFORMED, { NULL } },
        { "unterminated quote",
          apr_psprintf(pool, "Cert=\"%s", cert), NULL, AMT_EMALFORMED,
          { NULL } },
        { "unterminated quote hides the rest",
          apr_psprintf(pool, "Subject=\"x;Cert=\"%s\"", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "backslash at the end inside quotes",
          apr_psprintf(pool, "Cert=\"%s\";Subject=\"a\\", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "bad escape (control byte)",
          apr_psprintf(pool, "Cert=\"%s\";Subject=\"a\\\tb\"", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "backslash outside quotes",
          apr_psprintf(pool, "Cert=\"%s\";URI=a\\b", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "stray quote inside an unquoted value",
          apr_psprintf(pool, "Cert=\"%s\";URI=a\"b", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "text after a closing quote (quote-hiding attack)",
          apr_psprintf(pool, "Subject=x\";Cert=\"%s\";URI=\";Cert=\"%s\"",
                       cert, pki_header(pool, O, NULL)), NULL,
          AMT_EMALFORMED, { NULL } },
        { "text after a closing quote",
          apr_psprintf(pool, "Cert=\"%s\"x", cert), NULL, AMT_EMALFORMED,
          { NULL } },
        { "pair without '='", apr_psprintf(pool, "Cert=\"%s\";None", cert),
          NULL, AMT_EMALFORMED, { NULL } },
        { "empty pair", apr_psprintf(pool, "Cert=\"%s\";;By=x", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "trailing semicolon", apr_psprintf(pool, "Cert=\"%s\";", cert),
          NULL, AMT_EMALFORMED, { NULL } },
        { "empty element", apr_psprintf(pool, "%s,,%s", other, el), NULL,
          AMT_EMALFORMED, { NULL } },
        { "trailing comma", apr_psprintf(pool, "%s,", el), NULL,
          AMT_EMALFORMED, { NULL } },
        { "leading comma", apr_psprintf(pool, ",%s", el), NULL,
          AMT_EMALFORMED, { NULL } },
        { "space around ';'", apr_psprintf(pool, "By=x ; Cert=\"%s\"", cert),
          NULL, AMT_EMALFORMED, { NULL } },
        { "space before '='", apr_psprintf(pool, "Cert =\"%s\"", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "bad key", apr_psprintf(pool, "C.rt=\"%s\"", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "comma inside a quoted Cert",
          apr_psprintf(pool, "Cert=\"%s,\"", cert), NULL, AMT_EMALFORMED,
          { NULL } },
        { "%00 in Cert", apr_psprintf(pool, "Cert=\"%%00%s\"", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "control byte in a value",
          apr_psprintf(pool, "Cert=\"%s\";URI=a\x01", cert), NULL,
          AMT_EMALFORMED, { NULL } },
        { "Cert that is not PEM", "Cert=\"hello\"", NULL, AMT_EMALFORMED,
          { NULL } },
        { "Cert over 64 KiB decoded", big, NULL, AMT_ETOOLARGE, { NULL } },
        { "value over 192 KiB",
          apr_pstrcat(pool, el, ",", repeat(other, 1000, ","), NULL),
          NULL, AMT_ETOOLARGE, { NULL } },
        { "Chain of 11 certificates", eleven, NULL, AMT_ETOOMANY, { NULL } },
    };

    RUN(F_XFCC, cases);
}

/* ---- base64 DER ----------------------------------------------------- */

static void test_b64der(void)
{
    const char *l = b64(L), *i = b64(I), *r = b64(R);
    const char *ten = repeat(i, 9, ",");
    const char *big = apr_pstrcat(pool, l, spaces(AMT_MAX_DECODED), NULL);
    const fcase_t cases[] = {
        { "one certificate", l, NULL, APR_SUCCESS, { L } },
        { "surrounding white space",
          apr_pstrcat(pool, " \t", l, " \r\n", NULL), NULL, APR_SUCCESS,
          { L } },
        { "Traefik chain", apr_pstrcat(pool, l, ",", i, ",", r, NULL), NULL,
          APR_SUCCESS, { L, I, R } },
        { "chain merged by httpd (', ')",
          apr_pstrcat(pool, l, ", ", i, NULL), NULL, APR_SUCCESS, { L, I } },
        { "chain in the wrong order is kept",
          apr_pstrcat(pool, l, ",", r, ",", i, NULL), NULL, APR_SUCCESS,
          { L, R, I } },
        { "old Traefik: URL-escaped",
          replace(replace(replace(apr_pstrcat(pool, l, ",", i, NULL),
                                  "+", "%2B"), "/", "%2F"), ",", "%2C"),
          NULL, APR_SUCCESS, { L, I } },
        { "10 certificates", apr_pstrcat(pool, l, ",", ten, NULL), NULL,
          APR_SUCCESS, { L, I, I, I, I, I, I, I, I, I } },
        { "empty", "", NULL, APR_SUCCESS, { NULL } },
        { "(null)", "(null)", NULL, APR_SUCCESS, { NULL } },
        { "11 certificates", apr_pstrcat(pool, l, ",", ten, ",", i, NULL),
          NULL, AMT_ETOOMANY, { NULL } },
        { "over 64 KiB", big, NULL, AMT_ETOOLARGE, { NULL } },
        { "PEM", pki_pem(pool, L), NULL, AMT_EMALFORMED, { NULL } },
        { "RFC 9440 byte sequence", sf(L), NULL, AMT_EMALFORMED, { NULL } },
        { "space inside", apr_pstrcat(pool, apr_pstrndup(pool, l, 8), " ",
                                      l + 8, NULL), NULL, AMT_EMALFORMED,
          { NULL } },
        { "newline inside", apr_pstrcat(pool, apr_pstrndup(pool, l, 64),
                                        "\n", l + 64, NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "url-safe alphabet", replace(replace(l, "+", "-"), "/", "_"), NULL,
          AMT_EMALFORMED, { NULL } },
        { "padding removed", apr_pstrcat(pool, l, ",TQ", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "empty member", apr_pstrcat(pool, l, ",,", i, NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "trailing comma", apr_pstrcat(pool, l, ",", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "leading comma", apr_pstrcat(pool, ",", l, NULL), NULL,
          AMT_EMALFORMED, { NULL } },
        { "comma only", ",", NULL, AMT_EMALFORMED, { NULL } },
        { "%00", apr_pstrcat(pool, l, "%00", NULL), NULL, AMT_EMALFORMED,
          { NULL } },
        { "bad escape", apr_pstrcat(pool, l, "%G0", NULL), NULL,
          AMT_EMALFORMED, { NULL } },
    };

    RUN(F_B64DER, cases);
    {
        /* the decoder takes any base64 blob; amt_chain_make() is what
         * refuses one that is not a certificate */
        apr_array_header_t *ders = NULL;
        const char *reason = NULL;
        amt_chain_t *chain = NULL;

        is_int(amt_b64der_decode(&ders, pool, "TWFu\0TWFu", &reason),
               APR_SUCCESS, "base64-der: a NUL cuts the value");
        ok(ders != NULL && ders->nelts == 1
           && APR_ARRAY_IDX(ders, 0, amt_der_t).len == 3
           && memcmp(APR_ARRAY_IDX(ders, 0, amt_der_t).data, "Man", 3) == 0,
           "base64-der: any base64 decodes (\"Man\", before the NUL)");
        is_int(amt_chain_make(&chain, pool, ders, &reason), AMT_EBADCERT,
               "base64-der: ... and the chain stage refuses a non-certificate");
    }
}

/* ---- leaf-only header and the descriptive headers -------------------- */

static const char *dn(X509_NAME *name, unsigned long flags)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long n;
    const char *s;

    X509_NAME_print_ex(bio, name, 0, flags);
    n = BIO_get_mem_data(bio, &data);
    s = apr_pstrmemdup(pool, data, (apr_size_t)n);
    BIO_free(bio);
    return s;
}

static void desc_case(X509 *leaf, const amt_desc_t *d, apr_status_t want,
                      const char *name)
{
    const char *reason = NULL;
    apr_status_t rv = amt_desc_check(pool, leaf, d, &reason);

    if (!is_int(rv, want, "desc %s: status", name))
        diag("got %s (%s)", amt_strerror(pool, rv), tap_escape(reason));
    if (want != APR_SUCCESS)
        check_reason(reason, apr_psprintf(pool, "desc %s", name));
}

static void test_desc(pki_cert_t *inter)
{
    static const pki_rdn_t subj[] = {
        { "C", "US", 0, 0, 0 },
        { "ST", "Washington", 0, 0, 0 },
        { "O", "mTLS", 0, 0, 0 },
        { "OU", "client-3", 0, 0, 0 },
        { "CN", "client_.com", 0, 0, 0 },
        { NULL, NULL, 0, 0, 0 }
    };
    static const pki_rdn_t utf8[] = {
        { "O", "J\xc3\xb6hn, \"Inc\"", 0, 0, 0 },
        { "CN", "caf\xc3\xa9", 0, 0, 0 },
        { NULL, NULL, 0, 0, 0 }
    };
    pki_spec_t spec;
    X509 *v, *u;
    const char *idn;
    const char *val = "NotBefore=2023-09-21T01:50:17Z;"
                      "NotAfter=2034-09-20T01:50:17Z";

    memset(&spec, 0, sizeof(spec));
    spec.subject = subj;
    spec.serial_hex = "00F1E2D3C4B5A69788";
    spec.not_before_str = "20230921015017Z";
    spec.not_after_str = "20340920015017Z";
    v = pki_issue(pool, &spec, inter)->x509;
    memset(&spec, 0, sizeof(spec));
    spec.subject = utf8;
    spec.serial_hex = "03A5B1";
    u = pki_issue(pool, &spec, inter)->x509;
    idn = dn(X509_get_issuer_name(v), XN_FLAG_RFC2253);

    is_str(dn(X509_get_subject_name(v), XN_FLAG_RFC2253),
           "CN=client_.com,OU=client-3,O=mTLS,ST=Washington,C=US",
           "desc: OpenSSL's RFC 2253 form has the shape of AWS's example");
    {
        const fcase_t cases[] = {
            { "ALB leaf", pki_header(pool, v, NULL), NULL, APR_SUCCESS,
              { v } },
            { "empty", "", NULL, APR_SUCCESS, { NULL } },
            { "leaf + intermediate", pki_header(pool, v, I, NULL), NULL,
              AMT_EMALFORMED, { NULL } },
            { "not PEM", "hello", NULL, AMT_EMALFORMED, { NULL } },
        };
        RUN(F_LEAF, cases);
    }
    {
        amt_desc_t d = { "CN=client_.com,OU=client-3,O=mTLS,ST=Washington,C=US",
                         idn, "F1E2D3C4B5A69788", val,
                         amt_cert_sha256_hex(pool, v) };
        amt_desc_t e;

        desc_case(v, &d, APR_SUCCESS, "all five agree");
        e = d; e.serial = "00F1E2D3C4B5A69788";
        desc_case(v, &e, APR_SUCCESS, "serial with its DER 00 byte");
        e = d; e.serial = "00:f1:e2:d3:c4:b5:a6:97:88";
        desc_case(v, &e, APR_SUCCESS, "serial as CloudFront writes it");
        e = d; e.sha256 = apr_pstrdup(pool, d.sha256);
        for (char *c = (char *)e.sha256; *c; c++)
            if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
        desc_case(v, &e, APR_SUCCESS, "Sha256 in upper case");
        memset(&e, 0, sizeof(e));
        desc_case(v, &e, APR_SUCCESS, "no descriptive header");

        e = d; e.subject = "CN=admin,OU=client-3,O=mTLS,ST=Washington,C=US";
        desc_case(v, &e, AMT_EMISMATCH, "Subject disagrees");
        e = d; e.subject = "C=US,ST=Washington,O=mTLS,OU=client-3,CN=client_.com";
        desc_case(v, &e, AMT_EMISMATCH, "Subject in the reverse order");
        e = d; e.subject = "CN=client_.com, OU=client-3, O=mTLS, ST=Washington, C=US";
        desc_case(v, &e, AMT_EMISMATCH, "Subject with spaces");
        e = d; e.subject = "";
        desc_case(v, &e, AMT_EMISMATCH, "Subject empty");
        e = d; e.issuer = d.subject;
        desc_case(v, &e, AMT_EMISMATCH, "Issuer disagrees");
        e = d; e.serial = "F1E2D3C4B5A69789";
        desc_case(v, &e, AMT_EMISMATCH, "Serial-Number disagrees");
        e = d; e.serial = "F1E2D3C4B5A697";
        desc_case(v, &e, AMT_EMISMATCH, "Serial-Number truncated");
        e = d; e.serial = "F1E2D3C4B5A6978G";
        desc_case(v, &e, AMT_EMALFORMED, "Serial-Number not hex");
        e = d; e.serial = "F1:E2D3";
        desc_case(v, &e, AMT_EMALFORMED, "Serial-Number with odd colons");
        e = d; e.serial = "";
        desc_case(v, &e, AMT_EMALFORMED, "Serial-Number empty");
        e = d; e.validity = "NotBefore=2023-09-21T01:50:18Z;"
                            "NotAfter=2034-09-20T01:50:17Z";
        desc_case(v, &e, AMT_EMISMATCH, "NotBefore one second off");
        e = d; e.validity = "NotBefore=2023-09-21T01:50:17Z;"
                            "NotAfter=2035-09-20T01:50:17Z";
        desc_case(v, &e, AMT_EMISMATCH, "NotAfter disagrees");
        e = d; e.validity = "NotBefore=2023-09-21 01:50:17Z;"
                            "NotAfter=2034-09-20T01:50:17Z";
        desc_case(v, &e, AMT_EMALFORMED, "Validity with a space for T");
        e = d; e.validity = "NotAfter=2034-09-20T01:50:17Z;"
                            "NotBefore=2023-09-21T01:50:17Z";
        desc_case(v, &e, AMT_EMALFORMED, "Validity swapped");
        e = d; e.validity = "NotBefore=2023-13-21T01:50:17Z;"
                            "NotAfter=2034-09-20T01:50:17Z";
        desc_case(v, &e, AMT_EMALFORMED, "Validity month 13");
        e = d; e.validity = apr_pstrcat(pool, val, " ", NULL);
        desc_case(v, &e, AMT_EMALFORMED, "Validity with a trailing space");
        e = d; e.sha256 = amt_cert_sha256_hex(pool, L);
        desc_case(v, &e, AMT_EMISMATCH, "Sha256 of another certificate");
        e = d; e.sha256 = "abcd";
        desc_case(v, &e, AMT_EMALFORMED, "Sha256 too short");
    }
    {
        amt_desc_t d = { dn(X509_get_subject_name(u), XN_FLAG_RFC2253),
                         NULL, "03A5B1", NULL, NULL };

        desc_case(u, &d, APR_SUCCESS, "non-ASCII DN, \\XX escaped");
        d.subject = dn(X509_get_subject_name(u),
                       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
        desc_case(u, &d, APR_SUCCESS, "non-ASCII DN, UTF-8 kept");
        d.serial = "3a5b1";
        desc_case(u, &d, APR_SUCCESS, "serial without leading zero, lower");
    }
}

static void test_strerror(void)
{
    const char *s = amt_strerror(pool, AMT_EMISMATCH);

    ok(s != NULL && strcmp(s, amt_strerror(pool, AMT_EMALFORMED)) != 0
       && strcmp(s, amt_strerror(pool, AMT_EBADVALUE)) != 0,
       "amt_strerror names AMT_EMISMATCH (%s)", s ? s : "(NULL)");
    ok(amt_value_is_absent(NULL) && amt_value_is_absent("")
       && amt_value_is_absent(" \t\r\n") && amt_value_is_absent("(null)")
       && !amt_value_is_absent("x") && !amt_value_is_absent(" (null)"),
       "amt_value_is_absent: NULL, empty, white space, (null)");
}

int main(void)
{
    pki_cert_t *root, *inter;
    int rc;

    apr_initialize();
    apr_pool_create(&pool, NULL);

    root = pki_root(pool, "Formats Root CA");
    inter = pki_intermediate(pool, "Formats Intermediate CA", root);
    R = root->x509;
    I = inter->x509;
    L = pki_leaf(pool, "formats-leaf", inter)->x509;
    O = pki_leaf(pool, "formats-other", inter)->x509;

    test_rfc9440();
    test_xfcc();
    test_b64der();
    test_desc(inter);
    test_strerror();

    rc = done_testing();
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
