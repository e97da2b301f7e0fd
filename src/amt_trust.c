/*
 * amt_trust.c - trust anchors in an X509_STORE, built at configuration time.
 */
#include <string.h>
#include <apr_file_info.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "amt_digest.h"
#include "amt_path.h"
#include "amt_error.h"
#include "amt_trust.h"
#include "amt_inspect.h"

struct amt_trust_t {
    X509_STORE *store;
    int certs;          /* certificates added from files */
    int dirs;           /* hashed directories added */
    unsigned char digest[AMT_TRUST_DIGEST_LEN]; /* of everything loaded */
};

static apr_status_t trust_cleanup(void *data)
{
    amt_trust_t *t = data;

    X509_STORE_free(t->store);
    t->store = NULL;
    return APR_SUCCESS;
}

apr_status_t amt_trust_make(amt_trust_t **trust, apr_pool_t *p)
{
    amt_trust_t *t = apr_pcalloc(p, sizeof(*t));

    if ((t->store = X509_STORE_new()) == NULL) return AMT_EOPENSSL;
    apr_pool_cleanup_register(p, t, trust_cleanup, apr_pool_cleanup_null);
    *trust = t;
    return APR_SUCCESS;
}

/* adds one piece of what was loaded to the store's content digest */
static void trust_digest_update(amt_trust_t *trust, const char *kind,
                                const void *data, apr_size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int outlen = 0;
    int ok;

    /* digest' = SHA-256(digest || kind || NUL || data): order-sensitive, and
     * a failure leaves a digest that matches no other store's */
    ok = md != NULL
        && EVP_DigestInit_ex(md, amt_sha256(), NULL)
        && EVP_DigestUpdate(md, trust->digest, sizeof(trust->digest))
        && EVP_DigestUpdate(md, kind, strlen(kind) + 1)
        && EVP_DigestUpdate(md, data, len)
        && EVP_DigestFinal_ex(md, trust->digest, &outlen);
    EVP_MD_CTX_free(md);
    if (!ok) {
        memset(trust->digest, 0xff, sizeof(trust->digest));
        trust->digest[0] = (unsigned char)(apr_uintptr_t)trust;
    }
}

const unsigned char *amt_trust_digest(const amt_trust_t *trust)
{
    return trust->digest;
}

static void digest_cert(amt_trust_t *trust, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);

    if (len > 0) trust_digest_update(trust, "cert", der, (apr_size_t)len);
    else trust_digest_update(trust, "cert?", "", 0);
    OPENSSL_free(der);
}

apr_status_t amt_trust_add_file(amt_trust_t *trust, const char *path,
                                apr_pool_t *p, const char **err)
{
    STACK_OF(X509_INFO) *infos;
    int i, added = 0;
    apr_status_t rv = APR_SUCCESS;

    if (amt_path_check(p, path, APR_REG, err) != APR_SUCCESS) return AMT_ETRUST;
    if (amt_path_read_pem(&infos, p, path, err) != APR_SUCCESS) {
        return AMT_ETRUST;
    }
    for (i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->x509 == NULL) continue;
        /* a duplicate certificate is not an error for OpenSSL 3 */
        if (!X509_STORE_add_cert(trust->store, info->x509)) {
            *err = apr_psprintf(p, "cannot add a certificate of '%s': %s",
                                path, amt_openssl_errors(p));
            rv = AMT_ETRUST;
            break;
        }
        digest_cert(trust, info->x509);
        added++;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    ERR_clear_error();
    if (rv == APR_SUCCESS && added == 0) {
        *err = apr_psprintf(p, "'%s' holds no PEM certificate", path);
        rv = AMT_ETRUST;
    }
    trust->certs += added;
    return rv;
}

static int is_hash_link(const char *name)
{
    int i;

    for (i = 0; i < 8; i++) {
        if (!apr_isxdigit(name[i])) return 0;
    }
    if (name[8] != '.' || !apr_isdigit(name[9])) return 0;
    for (i = 10; name[i]; i++) {
        if (!apr_isdigit(name[i])) return 0;
    }
    return 1;
}

apr_status_t amt_trust_add_dir(amt_trust_t *trust, const char *path,
                               apr_pool_t *p, const char **err)
{
    apr_dir_t *dir;
    apr_finfo_t fi;
    apr_status_t rv;
    X509_LOOKUP *lookup;
    int links = 0;
    char buf[120];

    if (amt_path_check(p, path, APR_DIR, err) != APR_SUCCESS) return AMT_ETRUST;
    if ((rv = apr_dir_open(&dir, path, p)) != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot open directory '%s': %s", path,
                            apr_strerror(rv, buf, sizeof(buf)));
        return AMT_ETRUST;
    }
    trust_digest_update(trust, "dir", path, strlen(path));
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_SIZE | APR_FINFO_MTIME,
                        dir) == APR_SUCCESS) {
        if (fi.name && is_hash_link(fi.name)) {
            /* the directory is read lazily by OpenSSL: name, size and mtime
             * of each link stand for its content */
            char *item = apr_psprintf(p, "%s %" APR_OFF_T_FMT " %"
                                      APR_TIME_T_FMT, fi.name, fi.size,
                                      fi.mtime);
            trust_digest_update(trust, "link", item, strlen(item));
            links++;
        }
    }
    apr_dir_close(dir);
    if (links == 0) {
        *err = apr_psprintf(p, "'%s' holds no hashed certificate link "
                            "(<hash>.0; run 'openssl rehash %s')", path, path);
        return AMT_ETRUST;
    }
    ERR_clear_error();
    lookup = X509_STORE_add_lookup(trust->store, X509_LOOKUP_hash_dir());
    if (lookup == NULL
        || !X509_LOOKUP_add_dir(lookup, path, X509_FILETYPE_PEM)) {
        *err = apr_psprintf(p, "cannot use directory '%s': %s", path,
                            amt_openssl_errors(p));
        return AMT_ETRUST;
    }
    trust->dirs++;
    return APR_SUCCESS;
}

int amt_trust_count(const amt_trust_t *trust)
{
    return trust->certs;
}

int amt_trust_is_empty(const amt_trust_t *trust)
{
    return trust->certs == 0 && trust->dirs == 0;
}

X509_STORE *amt_trust_store(const amt_trust_t *trust)
{
    return trust->store;
}
