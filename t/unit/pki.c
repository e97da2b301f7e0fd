/*
 * pki.c - see pki.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "amt_compat.h"
#include "pki.h"
#include "tap.h"

static unsigned long pki_next_serial = 0x1001;

static void pki_fail(const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();

    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    bail_out("pki: %s failed: %s", what, e ? buf : "(no OpenSSL error)");
}

static apr_status_t pki_x509_cleanup(void *data)
{
    X509_free(data);
    return APR_SUCCESS;
}

static apr_status_t pki_key_cleanup(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

static void pki_own_x509(apr_pool_t *p, X509 *x)
{
    apr_pool_cleanup_register(p, x, pki_x509_cleanup, apr_pool_cleanup_null);
}

static void pki_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

    if (ext == NULL || !X509_add_ext(x, ext, -1))
        pki_fail(OBJ_nid2sn(nid));
    X509_EXTENSION_free(ext);
}

static void pki_set_time(ASN1_TIME *t, const char *str, time_t now,
                         long offset)
{
    if (str != NULL) {
        if (!ASN1_TIME_set_string_X509(t, str))
            pki_fail("ASN1_TIME_set_string_X509");
    }
    else if (X509_time_adj_ex(t, 0, offset, &now) == NULL) {
        pki_fail("X509_time_adj_ex");
    }
}

static X509_NAME *pki_make_name(const pki_spec_t *spec)
{
    X509_NAME *name = X509_NAME_new();

    if (name == NULL)
        pki_fail("X509_NAME_new");
    if (spec->subject == NULL) {
        if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        (const unsigned char *)
                                        (spec->cn ? spec->cn : "unit"),
                                        -1, -1, 0))
            pki_fail("X509_NAME_add_entry_by_txt CN");
        return name;
    }
    for (const pki_rdn_t *r = spec->subject; r->field != NULL; r++) {
        if (!X509_NAME_add_entry_by_txt(name, r->field,
                                        r->type ? r->type : MBSTRING_UTF8,
                                        (const unsigned char *)r->value,
                                        r->type ? r->len : -1,
                                        -1, r->same_rdn ? -1 : 0))
            pki_fail(r->field);
    }
    return name;
}

pki_cert_t *pki_issue(apr_pool_t *p, const pki_spec_t *spec,
                      const pki_cert_t *issuer)
{
    pki_cert_t *c = apr_pcalloc(p, sizeof(*c));
    time_t now = spec->now ? spec->now : time(NULL);
    X509_NAME *name;
    X509V3_CTX ctx;
    BIGNUM *bn = NULL;
    ASN1_INTEGER *serial;

    c->key = spec->rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    if (c->key == NULL)
        pki_fail("key generation");
    apr_pool_cleanup_register(p, c->key, pki_key_cleanup,
                              apr_pool_cleanup_null);
    c->x509 = X509_new();
    if (c->x509 == NULL)
        pki_fail("X509_new");
    pki_own_x509(p, c->x509);

    if (!X509_set_version(c->x509, X509_VERSION_3))
        pki_fail("X509_set_version");
    if (spec->serial_hex != NULL) {
        if (!BN_hex2bn(&bn, spec->serial_hex))
            pki_fail("BN_hex2bn");
    }
    else {
        bn = BN_new();
        if (bn == NULL || !BN_set_word(bn, pki_next_serial++))
            pki_fail("BN_set_word");
    }
    serial = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    if (serial == NULL || !X509_set_serialNumber(c->x509, serial))
        pki_fail("serial");
    ASN1_INTEGER_free(serial);

    pki_set_time(X509_getm_notBefore(c->x509), spec->not_before_str, now,
                 spec->validity_set ? spec->not_before : -86400L);
    pki_set_time(X509_getm_notAfter(c->x509), spec->not_after_str, now,
                 spec->validity_set ? spec->not_after
                                     : 365L * 86400L + 43200L);

    name = pki_make_name(spec);
    if (!X509_set_subject_name(c->x509, name))
        pki_fail("X509_set_subject_name");
    if (!X509_set_issuer_name(c->x509, issuer
                              ? X509_get_subject_name(issuer->x509) : name))
        pki_fail("X509_set_issuer_name");
    X509_NAME_free(name);
    if (!X509_set_pubkey(c->x509, c->key))
        pki_fail("X509_set_pubkey");

    X509V3_set_ctx(&ctx, issuer ? issuer->x509 : c->x509, c->x509, NULL,
                   NULL, 0);
    pki_add_ext(c->x509, &ctx, NID_subject_key_identifier, "hash");
    if (issuer != NULL)
        pki_add_ext(c->x509, &ctx, NID_authority_key_identifier,
                    "keyid:always");
    if (spec->is_ca) {
        pki_add_ext(c->x509, &ctx, NID_basic_constraints,
                    "critical,CA:TRUE");
        pki_add_ext(c->x509, &ctx, NID_key_usage,
                    "critical,keyCertSign,cRLSign");
    }
    else {
        pki_add_ext(c->x509, &ctx, NID_basic_constraints, "CA:FALSE");
        pki_add_ext(c->x509, &ctx, NID_key_usage,
                    "critical,digitalSignature,keyEncipherment");
        if (spec->eku == PKI_EKU_CLIENT)
            pki_add_ext(c->x509, &ctx, NID_ext_key_usage, "clientAuth");
        else if (spec->eku == PKI_EKU_SERVER)
            pki_add_ext(c->x509, &ctx, NID_ext_key_usage, "serverAuth");
    }
    if (spec->san != NULL)
        pki_add_ext(c->x509, &ctx, NID_subject_alt_name, spec->san);

    if (!X509_sign(c->x509, issuer ? issuer->key : c->key, EVP_sha256()))
        pki_fail("X509_sign");
    return c;
}

pki_cert_t *pki_root(apr_pool_t *p, const char *cn)
{
    pki_rdn_t subject[] = {
        { "C", "US", 0, 0, 0 },
        { "O", "Unit Test PKI", 0, 0, 0 },
        { "CN", cn, 0, 0, 0 },
        { NULL, NULL, 0, 0, 0 }
    };
    pki_spec_t spec = { .subject = subject, .is_ca = 1 };

    return pki_issue(p, &spec, NULL);
}

pki_cert_t *pki_intermediate(apr_pool_t *p, const char *cn,
                             const pki_cert_t *issuer)
{
    pki_rdn_t subject[] = {
        { "C", "US", 0, 0, 0 },
        { "O", "Unit Test PKI", 0, 0, 0 },
        { "CN", cn, 0, 0, 0 },
        { NULL, NULL, 0, 0, 0 }
    };
    pki_spec_t spec = { .subject = subject, .is_ca = 1 };

    return pki_issue(p, &spec, issuer);
}

pki_cert_t *pki_leaf(apr_pool_t *p, const char *cn, const pki_cert_t *issuer)
{
    pki_spec_t spec = { .cn = cn };

    return pki_issue(p, &spec, issuer);
}

unsigned char *pki_der(apr_pool_t *p, X509 *cert, apr_size_t *len)
{
    unsigned char *der, *q;
    int n = i2d_X509(cert, NULL);

    if (n <= 0)
        pki_fail("i2d_X509");
    der = q = apr_palloc(p, (apr_size_t)n);
    if (i2d_X509(cert, &q) != n)
        pki_fail("i2d_X509");
    *len = (apr_size_t)n;
    return der;
}

X509 *pki_tamper(apr_pool_t *p, X509 *cert)
{
    apr_size_t len;
    unsigned char *der = pki_der(p, cert, &len);
    const unsigned char *q = der;
    X509 *x;

    /* the DER ends with the signature BIT STRING: its last byte is part of
     * the signature value (for ECDSA the low byte of s) */
    der[len - 1] ^= 0x5a;
    x = d2i_X509(NULL, &q, (long)len);
    if (x == NULL)
        pki_fail("d2i_X509 of the tampered certificate");
    pki_own_x509(p, x);
    return x;
}

static const char *pki_bio_text(apr_pool_t *p, BIO *bio)
{
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    const char *s = apr_pstrmemdup(p, data, (apr_size_t)n);

    BIO_free(bio);
    return s;
}

const char *pki_pem(apr_pool_t *p, X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (bio == NULL || !PEM_write_bio_X509(bio, cert))
        pki_fail("PEM_write_bio_X509");
    return pki_bio_text(p, bio);
}

static const char *pki_pem_va(apr_pool_t *p, X509 *first, va_list ap)
{
    const char *s = "";

    for (X509 *x = first; x != NULL; x = va_arg(ap, X509 *))
        s = apr_pstrcat(p, s, pki_pem(p, x), NULL);
    return s;
}

const char *pki_pem_chain(apr_pool_t *p, X509 *first, ...)
{
    va_list ap;
    const char *s;

    va_start(ap, first);
    s = pki_pem_va(p, first, ap);
    va_end(ap);
    return s;
}

const char *pki_key_pem(apr_pool_t *p, EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (bio == NULL
        || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
        pki_fail("PEM_write_bio_PrivateKey");
    return pki_bio_text(p, bio);
}

const char *pki_alb_encode(apr_pool_t *p, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t n = strlen(text);
    char *out = apr_palloc(p, 3 * n + 1), *o = out;

    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')
            || (*c >= '0' && *c <= '9') || strchr("-._~+=/", *c) != NULL) {
            *o++ = (char)*c;
        }
        else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 0x0f];
        }
    }
    *o = '\0';
    return out;
}

const char *pki_header(apr_pool_t *p, X509 *first, ...)
{
    va_list ap;
    const char *s;

    va_start(ap, first);
    s = pki_pem_va(p, first, ap);
    va_end(ap);
    return pki_alb_encode(p, s);
}

const char *pki_subject_hash(apr_pool_t *p, X509 *cert)
{
    int ok_ = 0;
    unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(cert), NULL,
                                        NULL, &ok_);

    if (!ok_)
        pki_fail("X509_NAME_hash_ex");
    return apr_psprintf(p, "%08lx", h);
}

static apr_status_t pki_rmdir(void *data)
{
    const char *dir = data;
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            if (unlink(path) != 0 && errno == EISDIR)
                pki_rmdir(path);
        }
        closedir(d);
    }
    rmdir(dir);
    return APR_SUCCESS;
}

const char *pki_tmpdir(apr_pool_t *p)
{
    const char *base = getenv("TMPDIR");
    char *dir = apr_psprintf(p, "%s/amt-unit-XXXXXX",
                             base && *base ? base : "/tmp");

    if (mkdtemp(dir) == NULL)
        bail_out("pki: mkdtemp %s: %s", dir, strerror(errno));
    apr_pool_cleanup_register(p, dir, pki_rmdir, apr_pool_cleanup_null);
    return dir;
}

const char *pki_write_file(apr_pool_t *p, const char *dir, const char *name,
                           const char *content)
{
    const char *path = apr_pstrcat(p, dir, "/", name, NULL);
    FILE *f = fopen(path, "w");

    if (f == NULL)
        bail_out("pki: cannot write %s: %s", path, strerror(errno));
    fputs(content, f);
    if (fclose(f) != 0)
        bail_out("pki: cannot write %s: %s", path, strerror(errno));
    return path;
}
