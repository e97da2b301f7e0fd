/*
 * mkseeds.c - writes the committed seed corpus of the fuzz targets:
 *   fuzz/corpus/ca.pem, fuzz/corpus/crl.pem   trust anchor and CRLs used by
 *                                              fuzz_verify (public parts only)
 *   fuzz/corpus/seeds/                         header values: valid ALB values
 *                                              and the unit tests' hostile ones
 * Run by hand (`make -f Makefile.apxs fuzz-seeds`) when the corpus should
 * change; the result is committed so that every fuzz run and every replay
 * starts from the same inputs.  Certificates come from t/unit/pki.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pki.h"
#include "tap.h"

static const char *out;

static void put(apr_pool_t *p, const char *name, const char *content)
{
    pki_write_file(p, out, name, content);
}

static X509_CRL *crl_for(const pki_cert_t *issuer, const pki_cert_t *revoked)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    time_t now = time(NULL);

    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->x509));
    ASN1_TIME_adj(t, now, -1, 0);
    X509_CRL_set1_lastUpdate(crl, t);
    /* far ahead, so that the committed corpus keeps working */
    ASN1_TIME_adj(t, now, 3650 * 5, 0);
    X509_CRL_set1_nextUpdate(crl, t);
    if (revoked != NULL) {
        X509_REVOKED *r = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked->x509));
        ASN1_TIME_adj(t, now, -1, 0);
        X509_REVOKED_set_revocationDate(r, t);
        X509_CRL_add0_revoked(crl, r);
    }
    ASN1_TIME_free(t);
    X509_CRL_sort(crl);
    if (!X509_CRL_sign(crl, issuer->key, EVP_sha256()))
        bail_out("cannot sign a CRL");
    return crl;
}

static const char *crl_pem(apr_pool_t *p, X509_CRL *crl)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *d;
    long n;
    const char *s;

    PEM_write_bio_X509_CRL(b, crl);
    n = BIO_get_mem_data(b, &d);
    s = apr_pstrmemdup(p, d, (apr_size_t)n);
    BIO_free(b);
    X509_CRL_free(crl);
    return s;
}

int main(int argc, char **argv)
{
    apr_pool_t *p;
    pki_cert_t *root, *inter, *inter2, *leaf, *direct, *deep, *revoked;
    pki_cert_t *expired, *self, *foreign, *odd, *rsa;
    pki_spec_t spec;
    const char *dir;
    const char *pem;
    int i;
    static const pki_rdn_t odd_subject[] = {
        { "C", "DE", 0, 0, 0 },
        { "O", "J\xc3\xb6hn \"JD\" D\xc5\x93+<x>;y\\z=w", 0, 0, 0 },
        { "OU", "Ops\tTab", 0, 0, 0 },
        { "OU", " Lead and trail ", 0, 0, 0 },
        { "CN", "multi", 0, 0, 0 },
        { "UID", "mv1", 1, 0, 0 },
        { "1.2.3.4.5", "custom", 0, 0, 0 },
        { "emailAddress", "odd@example.com", 0, 0, 0 },
        { NULL, NULL, 0, 0, 0 }
    };

    if (argc != 2) {
        fprintf(stderr, "usage: mkseeds OUTDIR\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);
    out = argv[1];
    dir = apr_pstrcat(p, out, "/seeds", NULL);
    mkdir(out, 0755);
    mkdir(dir, 0755);

    root = pki_root(p, "Fuzz Root CA");
    inter = pki_intermediate(p, "Fuzz Intermediate CA", root);
    inter2 = pki_intermediate(p, "Fuzz Intermediate CA 2", inter);
    memset(&spec, 0, sizeof(spec));
    spec.cn = "client1";
    spec.san = "DNS:client1.example.com,email:client1@example.com,"
               "URI:spiffe://example.com/client1,"
               "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:client1@corp.example";
    leaf = pki_issue(p, &spec, inter);
    direct = pki_leaf(p, "direct", root);
    deep = pki_leaf(p, "deep", inter2);
    revoked = pki_leaf(p, "revoked", inter);
    memset(&spec, 0, sizeof(spec));
    spec.cn = "expired";
    spec.not_before_str = "20200101000000Z";
    spec.not_after_str = "20210101000000Z";
    expired = pki_issue(p, &spec, inter);
    self = pki_leaf(p, "self-signed", NULL);
    foreign = pki_leaf(p, "foreign", pki_root(p, "Foreign Root CA"));
    memset(&spec, 0, sizeof(spec));
    spec.subject = odd_subject;
    spec.san = "DNS:a.example,DNS:b.example,email:x@example,IP:192.0.2.1,"
               "otherName:1.3.6.1.5.5.7.8.7;IA5:_https.example.com";
    spec.serial_hex = "00F1E2D3C4B5A69788";
    odd = pki_issue(p, &spec, inter);
    memset(&spec, 0, sizeof(spec));
    spec.cn = "rsa";
    spec.rsa = 1;
    rsa = pki_issue(p, &spec, inter);

    put(p, "ca.pem", pki_pem(p, root->x509));
    put(p, "crl.pem", apr_pstrcat(p, crl_pem(p, crl_for(root, NULL)),
                                  crl_pem(p, crl_for(inter, revoked)), NULL));

    out = dir;
    put(p, "valid-chain", pki_header(p, leaf->x509, inter->x509, NULL));
    put(p, "valid-direct", pki_header(p, direct->x509, NULL));
    put(p, "valid-deep", pki_header(p, deep->x509, inter2->x509, inter->x509,
                                    NULL));
    put(p, "valid-with-root", pki_header(p, leaf->x509, inter->x509,
                                         root->x509, NULL));
    put(p, "valid-odd-subject", pki_header(p, odd->x509, inter->x509, NULL));
    put(p, "valid-rsa", pki_header(p, rsa->x509, inter->x509, NULL));
    put(p, "revoked", pki_header(p, revoked->x509, inter->x509, NULL));
    put(p, "expired", pki_header(p, expired->x509, inter->x509, NULL));
    put(p, "self-signed", pki_header(p, self->x509, NULL));
    put(p, "foreign", pki_header(p, foreign->x509, NULL));
    put(p, "tampered", pki_header(p, pki_tamper(p, leaf->x509), inter->x509,
                                  NULL));
    pem = pki_pem_chain(p, leaf->x509, inter->x509, NULL);
    put(p, "raw-pem", pem);
    {
        char *sp = apr_pstrdup(p, pem), *c;
        for (c = sp; *c; c++) if (*c == '\n') *c = ' ';
        put(p, "newlines-as-spaces", sp);
        for (c = sp; *c; c++) if (*c == ' ') *c = '\t';
        put(p, "newlines-as-tabs", sp);
    }
    {
        /* every byte percent-encoded, + = / too */
        const char *e = "";
        for (i = 0; pem[i]; i++)
            e = apr_psprintf(p, "%s%%%02X", e, (unsigned char)pem[i]);
        put(p, "all-encoded", e);
    }
    {
        const char *ten = pki_pem(p, leaf->x509);
        for (i = 0; i < 9; i++) ten = apr_pstrcat(p, ten,
                                                  pki_pem(p, inter->x509),
                                                  NULL);
        put(p, "ten-certs", pki_alb_encode(p, ten));
        put(p, "eleven-certs", pki_alb_encode(p, apr_pstrcat(p, ten,
                                              pki_pem(p, inter->x509), NULL)));
    }
    put(p, "empty", "");
    put(p, "null", "(null)");
    put(p, "spaces", "  \t ");
    put(p, "bad-escape", apr_pstrcat(p, "%G1", pki_alb_encode(p, pem), NULL));
    put(p, "nul-escape", apr_pstrcat(p, "%00", pki_alb_encode(p, pem), NULL));
    put(p, "percent-at-end", "-----BEGIN%20CERTIFICATE-----%0A%");
    put(p, "not-pem", "hello%20world%0A");
    put(p, "merged-fields", apr_pstrcat(p, pki_alb_encode(p, pem), ", ",
                                        pki_alb_encode(p, pem), NULL));
    put(p, "garbage-base64", pki_alb_encode(p,
        "-----BEGIN CERTIFICATE-----\n!!not*base64$$\n"
        "-----END CERTIFICATE-----\n"));
    put(p, "not-a-certificate", pki_alb_encode(p,
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQK\n"
        "-----END CERTIFICATE-----\n"));
    put(p, "begin-without-end", pki_alb_encode(p,
        "-----BEGIN CERTIFICATE-----\nMIIB\n"));
    put(p, "bad-padding", pki_alb_encode(p,
        "-----BEGIN CERTIFICATE-----\nMI=B\n-----END CERTIFICATE-----\n"));
    put(p, "truncated", apr_pstrndup(p, pki_alb_encode(p, pem), 700));
    put(p, "other-pem-type", pki_alb_encode(p,
        "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"));

    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}
