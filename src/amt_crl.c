/*
 * amt_crl.c - CRLs read at configuration time, handed to each verification
 * with X509_STORE_CTX_set0_crls() (see amt_verify.c).
 *
 * The CRLs of one section are kept apart from its trust store, so that a
 * <Location> can set its own CRLs and inherit the trust anchors of the
 * virtual host (or the other way round) without copying a store.
 */
#include <stdlib.h>
#include <string.h>
#include <apr_file_info.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "amt_digest.h"
#include "amt_crl.h"
#include "amt_path.h"
#include "amt_error.h"
#include "amt_inspect.h"

struct amt_crl_t {
    STACK_OF(X509_CRL) *crls;
    apr_array_header_t *last_update;    /* of time_t, one per CRL */
    apr_array_header_t *next_update;    /* of time_t, 0: none */
    unsigned char digest[AMT_CRL_DIGEST_LEN];
};

static apr_status_t crl_cleanup(void *data)
{
    amt_crl_t *c = data;

    sk_X509_CRL_pop_free(c->crls, X509_CRL_free);
    c->crls = NULL;
    return APR_SUCCESS;
}

apr_status_t amt_crl_make(amt_crl_t **crl, apr_pool_t *p)
{
    amt_crl_t *c = apr_pcalloc(p, sizeof(*c));

    if ((c->crls = sk_X509_CRL_new_null()) == NULL) return AMT_EOPENSSL;
    c->last_update = apr_array_make(p, 2, sizeof(time_t));
    c->next_update = apr_array_make(p, 2, sizeof(time_t));
    apr_pool_cleanup_register(p, c, crl_cleanup, apr_pool_cleanup_null);
    *crl = c;
    return APR_SUCCESS;
}

const char *amt_crl_check_name(amt_crl_check_e mode)
{
    switch (mode) {
    case AMT_CRL_CHECK_LEAF:  return "leaf";
    case AMT_CRL_CHECK_CHAIN: return "chain";
    default:                  return "none";
    }
}

apr_status_t amt_crl_parse_check(amt_crl_check_e *mode, int *no_crl_ok,
                                 apr_pool_t *p, const char *args,
                                 const char **err)
{
    const char *s = args ? args : "";
    int words = 0;

    *mode = AMT_CRL_CHECK_UNSET;
    *no_crl_ok = 0;
    for (;;) {
        const char *start;
        char *word;

        while (*s == ' ' || *s == '\t') s++;
        if (*s == '\0') break;
        start = s;
        while (*s && *s != ' ' && *s != '\t') s++;
        word = apr_pstrmemdup(p, start, (apr_size_t)(s - start));
        words++;
        if (words == 1) {
            if (strcasecmp(word, "none") == 0) *mode = AMT_CRL_CHECK_NONE;
            else if (strcasecmp(word, "leaf") == 0) *mode = AMT_CRL_CHECK_LEAF;
            else if (strcasecmp(word, "chain") == 0)
                *mode = AMT_CRL_CHECK_CHAIN;
            else {
                *err = apr_psprintf(p, "'%s' is not one of none, leaf, chain",
                                    word);
                *mode = AMT_CRL_CHECK_UNSET;
                return AMT_EBADVALUE;
            }
        }
        else if (words == 2 && strcasecmp(word, "no_crl_for_cert_ok") == 0) {
            *no_crl_ok = 1;
        }
        else {
            *err = apr_psprintf(p, "unexpected '%s' (only "
                                "'no_crl_for_cert_ok' may follow the mode)",
                                word);
            *mode = AMT_CRL_CHECK_UNSET;
            *no_crl_ok = 0;
            return AMT_EBADVALUE;
        }
    }
    if (words == 0) {
        *err = "takes none, leaf or chain, optionally followed by "
               "no_crl_for_cert_ok";
        return AMT_EBADVALUE;
    }
    return APR_SUCCESS;
}

static time_t asn1_time_t(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL) return 0;
    memset(&tm, 0, sizeof(tm));
    if (!ASN1_TIME_to_tm(t, &tm)) return 0;
    return timegm(&tm);
}

static void digest_update(amt_crl_t *c, const void *data, apr_size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int outlen = 0;
    int ok;

    ok = md != NULL
        && EVP_DigestInit_ex(md, amt_sha256(), NULL)
        && EVP_DigestUpdate(md, c->digest, sizeof(c->digest))
        && EVP_DigestUpdate(md, "crl", 4)
        && EVP_DigestUpdate(md, data, len)
        && EVP_DigestFinal_ex(md, c->digest, &outlen);
    EVP_MD_CTX_free(md);
    if (!ok) {
        /* matches no other set's digest */
        memset(c->digest, 0xff, sizeof(c->digest));
        memcpy(c->digest, &c, sizeof(c));
    }
}

/* Takes over x (freed on failure). */
static apr_status_t add_one(amt_crl_t *c, X509_CRL *x)
{
    unsigned char *der = NULL;
    X509_REVOKED *rev = NULL;
    ASN1_INTEGER *probe;
    int len = i2d_X509_CRL(x, &der);

    if (len <= 0 || !sk_X509_CRL_push(c->crls, x)) {
        OPENSSL_free(der);
        X509_CRL_free(x);
        return AMT_EOPENSSL;
    }
    digest_update(c, der, (apr_size_t)len);
    OPENSSL_free(der);
    APR_ARRAY_PUSH(c->last_update, time_t) =
        asn1_time_t(X509_CRL_get0_lastUpdate(x));
    APR_ARRAY_PUSH(c->next_update, time_t) =
        asn1_time_t(X509_CRL_get0_nextUpdate(x));
    /* OpenSSL sorts the revoked list on the first lookup (under a lock);
     * do it now, while there is one thread */
    if ((probe = ASN1_INTEGER_new()) != NULL) {
        ASN1_INTEGER_set(probe, 0);
        (void)X509_CRL_get0_by_serial(x, &rev, probe);
        ASN1_INTEGER_free(probe);
    }
    return APR_SUCCESS;
}

/* Reads every CRL of a PEM file into c; *added = how many. */
static apr_status_t read_pem(amt_crl_t *c, const char *path, apr_pool_t *p,
                             int *added, const char **err)
{
    STACK_OF(X509_INFO) *infos;
    int i;
    apr_status_t rv = APR_SUCCESS;

    *added = 0;
    if (amt_path_read_pem(&infos, p, path, err) != APR_SUCCESS) {
        return AMT_ETRUST;
    }
    for (i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->crl == NULL) continue;
        if (add_one(c, info->crl) != APR_SUCCESS) {
            info->crl = NULL;           /* freed by add_one */
            *err = apr_psprintf(p, "cannot add a CRL of '%s': %s", path,
                                amt_openssl_errors(p));
            rv = AMT_ETRUST;
            break;
        }
        info->crl = NULL;               /* now owned by c */
        ++*added;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    ERR_clear_error();
    return rv;
}

apr_status_t amt_crl_add_file(amt_crl_t *crl, const char *path,
                              apr_pool_t *p, const char **err)
{
    int added = 0;
    apr_status_t rv;

    if (amt_path_check(p, path, APR_REG, err) != APR_SUCCESS) return AMT_ETRUST;
    rv = read_pem(crl, path, p, &added, err);
    if (rv == APR_SUCCESS && added == 0) {
        *err = apr_psprintf(p, "'%s' holds no PEM CRL (BEGIN X509 CRL)",
                            path);
        rv = AMT_ETRUST;
    }
    return rv;
}

/* <8 hex digits>.r<digits>, as `openssl rehash` names CRL links */
static int is_crl_link(const char *name)
{
    int i;

    for (i = 0; i < 8; i++) {
        if (!apr_isxdigit(name[i])) return 0;
    }
    if (name[8] != '.' || name[9] != 'r' || !apr_isdigit(name[10])) return 0;
    for (i = 11; name[i]; i++) {
        if (!apr_isdigit(name[i])) return 0;
    }
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

apr_status_t amt_crl_add_dir(amt_crl_t *crl, const char *path,
                             apr_pool_t *p, const char **err)
{
    apr_dir_t *dir;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_array_header_t *names;
    int i;
    char buf[120];

    if (amt_path_check(p, path, APR_DIR, err) != APR_SUCCESS) return AMT_ETRUST;
    if ((rv = apr_dir_open(&dir, path, p)) != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot open directory '%s': %s", path,
                            apr_strerror(rv, buf, sizeof(buf)));
        return AMT_ETRUST;
    }
    names = apr_array_make(p, 8, sizeof(const char *));
    while (apr_dir_read(&fi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        if (fi.name && is_crl_link(fi.name)) {
            APR_ARRAY_PUSH(names, const char *) = apr_pstrdup(p, fi.name);
        }
    }
    apr_dir_close(dir);
    if (names->nelts == 0) {
        *err = apr_psprintf(p, "'%s' holds no hashed CRL link (<hash>.r0; "
                            "run 'openssl rehash %s')", path, path);
        return AMT_ETRUST;
    }
    /* a fixed order, so that equal directories give equal digests */
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), cmp_names);
    for (i = 0; i < names->nelts; i++) {
        const char *file = apr_pstrcat(p, path, "/",
                                       APR_ARRAY_IDX(names, i, const char *),
                                       NULL);
        int added = 0;

        if (amt_path_check(p, file, APR_REG, err) != APR_SUCCESS) return AMT_ETRUST;
        if (read_pem(crl, file, p, &added, err) != APR_SUCCESS)
            return AMT_ETRUST;
        if (added == 0) {
            *err = apr_psprintf(p, "'%s' holds no PEM CRL", file);
            return AMT_ETRUST;
        }
    }
    return APR_SUCCESS;
}

int amt_crl_count(const amt_crl_t *crl)
{
    return sk_X509_CRL_num(crl->crls);
}

void amt_crl_describe(const amt_crl_t *crl, int i, apr_pool_t *p,
                      const char **issuer, time_t *this_update,
                      time_t *next_update)
{
    X509_CRL *x = sk_X509_CRL_value(crl->crls, i);
    BIO *bio;
    char *data = NULL;
    long len;

    *issuer = "";
    *this_update = *next_update = 0;
    if (x == NULL) return;
    *this_update = APR_ARRAY_IDX(crl->last_update, i, time_t);
    *next_update = APR_ARRAY_IDX(crl->next_update, i, time_t);
    if ((bio = BIO_new(BIO_s_mem())) == NULL) return;
    if (X509_NAME_print_ex(bio, X509_CRL_get_issuer(x), 0,
                           XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0
        && (len = BIO_get_mem_data(bio, &data)) > 0) {
        *issuer = apr_pstrmemdup(p, data, (apr_size_t)len);
    }
    BIO_free(bio);
    ERR_clear_error();
}

STACK_OF(X509_CRL) *amt_crl_stack(const amt_crl_t *crl)
{
    return crl->crls;
}

const unsigned char *amt_crl_digest(const amt_crl_t *crl)
{
    return crl->digest;
}

time_t amt_crl_not_after(const amt_crl_t *crl, time_t now)
{
    time_t best = 0;
    int i;

    for (i = 0; i < crl->next_update->nelts; i++) {
        time_t next = APR_ARRAY_IDX(crl->next_update, i, time_t);
        time_t last = APR_ARRAY_IDX(crl->last_update, i, time_t);

        if (next != 0 && (best == 0 || next < best)) best = next;
        if (last > now && (best == 0 || last < best)) best = last;
    }
    return best;
}

int amt_crl_expired_count(const amt_crl_t *crl, time_t now)
{
    int i, n = 0;

    for (i = 0; i < crl->next_update->nelts; i++) {
        time_t next = APR_ARRAY_IDX(crl->next_update, i, time_t);
        if (next != 0 && next < now) n++;
    }
    return n;
}
