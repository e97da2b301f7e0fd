/*
 * mkformats.c - writes the seed corpus of the format decoders' fuzz targets
 * (fuzz_rfc9440, fuzz_xfcc, fuzz_b64der, fuzz_desc) into one directory,
 * fuzz/corpus/formats/, named after the format they were made for; every
 * target replays all of them.  Run by `make -f Makefile.apxs fuzz-seeds`;
 * the result is committed.  Certificates come from t/unit/pki.c.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "amt_vars.h"
#include "pki.h"
#include "tap.h"

static apr_pool_t *p;
static const char *out;

static void put(const char *name, const char *content)
{
    pki_write_file(p, out, name, content);
}

static const char *b64(X509 *x)
{
    apr_size_t len;
    unsigned char *der = pki_der(p, x, &len);
    char *s = apr_palloc(p, 4 * ((len + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)s, der, (int)len);
    return s;
}

static const char *sf(X509 *x)
{
    return apr_pstrcat(p, ":", b64(x), ":", NULL);
}

static const char *dn(X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *d;
    long n;
    const char *s;

    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    n = BIO_get_mem_data(bio, &d);
    s = apr_pstrmemdup(p, d, (apr_size_t)n);
    BIO_free(bio);
    return s;
}

int main(int argc, char **argv)
{
    pki_cert_t *root, *inter, *leaf, *other;
    pki_spec_t spec;
    X509 *L, *I, *R;
    const char *cert, *chain, *h, *el, *ten = "";
    int i;

    if (argc != 2) {
        fprintf(stderr, "usage: mkformats OUTDIR\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);
    out = argv[1];
    mkdir(out, 0755);

    root = pki_root(p, "Fuzz Root CA");
    inter = pki_intermediate(p, "Fuzz Intermediate CA", root);
    memset(&spec, 0, sizeof(spec));
    spec.cn = "client1";
    spec.serial_hex = "00F1E2D3C4B5A69788";
    spec.not_before_str = "20230921015017Z";
    spec.not_after_str = "20340920015017Z";
    leaf = pki_issue(p, &spec, inter);
    other = pki_leaf(p, "other", inter);
    L = leaf->x509;
    I = inter->x509;
    R = root->x509;

    /* rfc9440: Client-Cert, then '\n' and Client-Cert-Chain */
    put("rfc9440-leaf", sf(L));
    put("rfc9440-chain", apr_pstrcat(p, sf(L), "\n", sf(I), ", ", sf(R), NULL));
    put("rfc9440-chain-ows", apr_pstrcat(p, " ", sf(L), " \n ", sf(I),
                                         "\t,\t", sf(R), NULL));
    put("rfc9440-param", apr_pstrcat(p, sf(L), ";a=1\n", sf(I), ";b", NULL));
    put("rfc9440-inner-list", apr_pstrcat(p, sf(L), "\n(", sf(I), ")", NULL));
    put("rfc9440-trailing-comma", apr_pstrcat(p, sf(L), "\n", sf(I), ",",
                                              NULL));
    put("rfc9440-empty-member", apr_pstrcat(p, sf(L), "\n", sf(I), ",,",
                                            sf(R), NULL));
    put("rfc9440-merged", apr_pstrcat(p, sf(L), ", ", sf(L), NULL));
    put("rfc9440-no-colons", b64(L));
    put("rfc9440-empty", "::");
    for (i = 0; i < 10; i++) ten = apr_pstrcat(p, ten, i ? "," : "", sf(I),
                                               NULL);
    put("rfc9440-eleven", apr_pstrcat(p, sf(L), "\n", ten, NULL));

    /* xfcc */
    cert = pki_header(p, L, NULL);
    chain = pki_header(p, L, I, NULL);
    h = amt_cert_sha256_hex(p, L);
    el = apr_psprintf(p, "By=spiffe://example.org/front;Hash=%s;Cert=\"%s\";"
                      "Chain=\"%s\";Subject=\"CN=client1,O=A\\, \\\"B\\\"\";"
                      "URI=spiffe://example.org/c;DNS=a.example", h, cert,
                      chain);
    put("xfcc-full", el);
    put("xfcc-cert-only", apr_psprintf(p, "Cert=\"%s\"", cert));
    put("xfcc-three-elements",
        apr_psprintf(p, "By=a;Hash=%s;URI=x,Hash=%s;Cert=\"%s\", %s",
                     h, amt_cert_sha256_hex(p, other->x509),
                     pki_header(p, other->x509, NULL), el));
    put("xfcc-hash-mismatch", apr_psprintf(p, "Hash=%s;Cert=\"%s\"",
        amt_cert_sha256_hex(p, other->x509), cert));
    put("xfcc-chain-mismatch", apr_psprintf(p, "Cert=\"%s\";Chain=\"%s\"",
        cert, pki_header(p, I, L, NULL)));
    put("xfcc-unterminated", apr_psprintf(p, "Cert=\"%s", cert));
    put("xfcc-stray-quote", apr_psprintf(p, "Subject=x\";Cert=\"%s\"", cert));
    put("xfcc-bad-escape", apr_psprintf(p, "Cert=\"%s\";Subject=\"a\\", cert));
    put("xfcc-repeated-cert", apr_psprintf(p, "Cert=\"%s\";Cert=\"%s\"", cert,
                                           cert));

    /* base64-der */
    put("b64der-one", b64(L));
    put("b64der-traefik", apr_pstrcat(p, b64(L), ",", b64(I), ",", b64(R),
                                      NULL));
    put("b64der-escaped", apr_pstrcat(p, pki_alb_encode(p, b64(L)), "%2C",
                                      pki_alb_encode(p, b64(I)), NULL));
    put("b64der-spaces", apr_pstrcat(p, "  ", b64(L), " , ", b64(I), "\t",
                                     NULL));
    put("b64der-trailing-comma", apr_pstrcat(p, b64(L), ",", NULL));

    /* desc: leaf header, Subject, Issuer, Serial-Number, Validity, Sha256 */
    put("desc-alb", apr_pstrcat(p, cert, "\n", dn(X509_get_subject_name(L)),
        "\n", dn(X509_get_issuer_name(L)), "\nF1E2D3C4B5A69788\n"
        "NotBefore=2023-09-21T01:50:17Z;NotAfter=2034-09-20T01:50:17Z", NULL));
    put("desc-cloudfront", apr_pstrcat(p, cert, "\n",
        dn(X509_get_subject_name(L)), "\n", dn(X509_get_issuer_name(L)),
        "\n00:f1:e2:d3:c4:b5:a6:97:88\n"
        "NotBefore=2023-09-21T01:50:17Z;NotAfter=2034-09-20T01:50:17Z\n", h,
        NULL));
    put("desc-mismatch", apr_pstrcat(p, cert, "\nCN=admin\n\n03A5B1\n"
        "NotBefore=2023-09-21T01:50:17Z;NotAfter=2035-09-20T01:50:17Z", NULL));
    put("desc-two-certs", chain);

    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}
