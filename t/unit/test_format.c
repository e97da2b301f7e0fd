/*
 * test_format.c - src/amt_format.c: the fields each format reads, the one
 * decoding stage (every format gives the same chain for the same
 * certificates; alb-verify checks its descriptive headers), and the cache
 * key input (formats, proxy-verified, absent and empty fields kept apart).
 */
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "amt_decode.h"
#include "amt_error.h"
#include "amt_format.h"
#include "pki.h"
#include "tap.h"

static apr_pool_t *pool;
static X509 *L, *I;

static const char *b64(X509 *x)
{
    apr_size_t len;
    unsigned char *der = pki_der(pool, x, &len);
    char *out = apr_palloc(pool, 4 * ((len + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, der, (int)len);
    return out;
}

static const char *subject(X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long n;
    const char *out;

    X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
    n = BIO_get_mem_data(bio, &data);
    out = apr_pstrmemdup(pool, data, (apr_size_t)n);
    BIO_free(bio);
    return out;
}

/* decodes with format f and checks the chain is L then I */
static void same_chain(amt_format_e f, const char *header,
                       const char *const values[], const char *name)
{
    amt_fields_t fields;
    amt_chain_t *chain = NULL;
    const char *reason = NULL;
    apr_status_t rv;

    amt_format_fields(&fields, pool, f, header);
    rv = amt_format_chain(&chain, pool, &fields, values, &reason);
    ok(rv == APR_SUCCESS && chain != NULL, "%s: decodes (%s)", name,
       reason ? reason : "-");
    ok(chain != NULL && X509_cmp(chain->leaf, L) == 0, "%s: leaf first", name);
    ok(chain != NULL && sk_X509_num(chain->sent) == 1
       && X509_cmp(sk_X509_value(chain->sent, 0), I) == 0,
       "%s: then the intermediate", name);
}

int main(void)
{
    pki_cert_t *root, *inter;
    amt_fields_t fields;
    amt_format_e f;
    amt_chain_t *chain;
    const char *reason, *name, *name2, *value, *value2;
    apr_size_t len, len2;
    int i;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    root = pki_root(pool, "Format Root CA");
    inter = pki_intermediate(pool, "Format Intermediate CA", root);
    I = inter->x509;
    L = pki_leaf(pool, "format-leaf", inter)->x509;

    /* names and fields */
    for (i = 0; i < AMT_FORMAT_COUNT; i++) {
        ok(amt_format_parse(&f, pool, amt_format_name((amt_format_e)i),
                            &reason) == APR_SUCCESS && f == i,
           "format %s parses", amt_format_name((amt_format_e)i));
    }
    ok(amt_format_parse(&f, pool, "RFC9440", &reason) == APR_SUCCESS
       && f == AMT_FORMAT_RFC9440, "format names are case-insensitive");
    ok(amt_format_parse(&f, pool, "pem", &reason) == AMT_EBADVALUE,
       "unknown format refused");
    contains_str(reason, "alb, alb-verify", "its reason lists the formats");
    ok(amt_format_default_header(AMT_FORMAT_BASE64_DER) == NULL,
       "base64-der has no default header");
    amt_format_fields(&fields, pool, AMT_FORMAT_RFC9440, NULL);
    is_int(fields.nfields, 2, "rfc9440 reads two fields");
    is_str(fields.names[1], "Client-Cert-Chain", "rfc9440: Client-Cert-Chain");
    amt_format_fields(&fields, pool, AMT_FORMAT_ALB_VERIFY, NULL);
    is_int(fields.nfields, 6, "alb-verify reads six fields");
    is_str(fields.names[0], "X-Amzn-Mtls-Clientcert-Leaf", "alb-verify leaf");
    is_str(fields.names[1], "X-Amzn-Mtls-Clientcert-Subject", "-Subject");
    is_str(fields.names[3], "X-Amzn-Mtls-Clientcert-Serial-Number",
           "-Serial-Number");
    amt_format_fields(&fields, pool, AMT_FORMAT_ALB_VERIFY,
                      "CloudFront-Viewer-Cert-Pem");
    is_str(fields.names[5], "CloudFront-Viewer-Cert-Sha256",
           "AlbMtlsHeader CloudFront-Viewer-Cert-Pem: -Sha256 named after it");
    amt_format_fields(&fields, pool, AMT_FORMAT_ALB_VERIFY, "Leaf");
    is_str(fields.names[1], "Leaf-Subject", "a name without '-': appended");

    /* one decoding stage: the same chain from every format */
    {
        const char *alb[1], *rfc[2], *xf[1], *bd[1];
        alb[0] = pki_header(pool, L, I, NULL);
        same_chain(AMT_FORMAT_ALB, NULL, alb, "alb");
        rfc[0] = apr_pstrcat(pool, ":", b64(L), ":", NULL);
        rfc[1] = apr_pstrcat(pool, ":", b64(I), ":", NULL);
        same_chain(AMT_FORMAT_RFC9440, NULL, rfc, "rfc9440");
        xf[0] = apr_pstrcat(pool, "By=x;Cert=\"", pki_header(pool, L, NULL),
                            "\";Chain=\"", alb[0], "\"", NULL);
        same_chain(AMT_FORMAT_XFCC, NULL, xf, "xfcc");
        bd[0] = apr_pstrcat(pool, b64(L), ",", b64(I), NULL);
        same_chain(AMT_FORMAT_BASE64_DER, "X-Der", bd, "base64-der");
    }

    /* alb-verify */
    {
        const char *v[6] = { NULL, NULL, NULL, NULL, NULL, NULL };
        amt_format_fields(&fields, pool, AMT_FORMAT_ALB_VERIFY, NULL);
        v[0] = pki_header(pool, L, NULL);
        v[1] = subject(L);
        chain = NULL;
        ok(amt_format_chain(&chain, pool, &fields, v, &reason) == APR_SUCCESS
           && chain != NULL && X509_cmp(chain->leaf, L) == 0,
           "alb-verify: leaf and a matching -Subject");
        v[1] = "CN=someone-else";
        ok(amt_format_chain(&chain, pool, &fields, v, &reason)
           == AMT_EMISMATCH && chain == NULL,
           "alb-verify: -Subject disagreeing: AMT_EMISMATCH, no chain");
        is_str(reason, "Subject header disagrees with the certificate",
               "its reason");
        v[0] = NULL;
        ok(amt_format_chain(&chain, pool, &fields, v, &reason)
           == AMT_EMALFORMED, "alb-verify: descriptive headers alone: "
           "malformed");
        v[1] = NULL;
        ok(amt_format_chain(&chain, pool, &fields, v, &reason) == APR_SUCCESS
           && chain == NULL, "alb-verify: nothing: no certificate");
        v[0] = pki_header(pool, L, I, NULL);
        ok(amt_format_chain(&chain, pool, &fields, v, &reason)
           == AMT_EMALFORMED, "alb-verify: a chain in the leaf header: "
           "malformed");
    }

    /* cache key input */
    {
        const char *one[6] = { "abc", NULL, NULL, NULL, NULL, NULL };
        const char *empty2[2] = { "abc", "" };
        const char *absent2[2] = { "abc", NULL };
        const char *none[6] = { NULL, NULL, NULL, NULL, NULL, NULL };

        amt_format_fields(&fields, pool, AMT_FORMAT_ALB, NULL);
        amt_format_key_input(&name, &value, &len, pool, &fields, one, 0);
        is_str(name, "X-Amzn-Mtls-Clientcert", "alb: the header name as "
               "before");
        ok(value == one[0] && len == 3, "alb: the value as it is");
        amt_format_key_input(&name2, &value2, &len2, pool, &fields, one, 1);
        ok(strcmp(name, name2) != 0, "alb, proxy-verified: another name");
        amt_format_fields(&fields, pool, AMT_FORMAT_BASE64_DER,
                          "X-Amzn-Mtls-Clientcert");
        amt_format_key_input(&name2, &value2, &len2, pool, &fields, one, 0);
        ok(strcmp(name, name2) != 0, "same header name and value, format "
           "base64-der: another key name (%s)", name2);
        ok(strchr(name2, ' ') != NULL, "... one no header name can equal");
        amt_format_fields(&fields, pool, AMT_FORMAT_RFC9440, NULL);
        amt_format_key_input(&name, &value, &len, pool, &fields, empty2, 0);
        amt_format_key_input(&name2, &value2, &len2, pool, &fields, absent2,
                             0);
        ok(len != len2 || memcmp(value, value2, len) != 0,
           "rfc9440: an empty Client-Cert-Chain and none differ");
        amt_format_key_input(&name, &value, &len, pool, &fields, none, 0);
        ok(value == NULL, "no field at all: no key");
        {
            const char *a[2] = { "ab", "c" }, *b[2] = { "a", "bc" };
            amt_format_key_input(&name, &value, &len, pool, &fields, a, 0);
            amt_format_key_input(&name2, &value2, &len2, pool, &fields, b, 0);
            ok(len != len2 || memcmp(value, value2, len) != 0,
               "rfc9440: field boundaries are part of the key input");
        }
    }

    i = done_testing();
    apr_pool_destroy(pool);
    apr_terminate();
    return i;
}
