/*
 * amt_trust.c - trust anchors in an X509_STORE, built at configuration time.
 */
#include <string.h>
#include <apr_file_info.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "amt_status.h"
#include "amt_trust.h"

struct amt_trust_t {
    X509_STORE *store;
    int certs;          /* certificates added from files */
    int dirs;           /* hashed directories added */
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

static apr_status_t check_path(apr_pool_t *p, const char *path,
                               apr_filetype_e want, const char **err)
{
    apr_finfo_t fi;
    apr_status_t rv;
    char buf[120];

    rv = apr_stat(&fi, path, APR_FINFO_TYPE, p);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot read '%s': %s", path,
                            apr_strerror(rv, buf, sizeof(buf)));
        return AMT_ETRUST;
    }
    if (fi.filetype != want) {
        *err = apr_psprintf(p, "'%s' is not a %s", path,
                            want == APR_DIR ? "directory" : "regular file");
        return AMT_ETRUST;
    }
    return APR_SUCCESS;
}

apr_status_t amt_trust_add_file(amt_trust_t *trust, const char *path,
                                apr_pool_t *p, const char **err)
{
    STACK_OF(X509_INFO) *infos;
    BIO *bio;
    int i, added = 0;
    apr_status_t rv = APR_SUCCESS;

    if (check_path(p, path, APR_REG, err) != APR_SUCCESS) return AMT_ETRUST;
    ERR_clear_error();
    if ((bio = BIO_new_file(path, "r")) == NULL) {
        *err = apr_psprintf(p, "cannot open '%s': %s", path,
                            amt_openssl_errors(p));
        return AMT_ETRUST;
    }
    infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (infos == NULL) {
        *err = apr_psprintf(p, "'%s' is not a PEM file: %s", path,
                            amt_openssl_errors(p));
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

    if (check_path(p, path, APR_DIR, err) != APR_SUCCESS) return AMT_ETRUST;
    if ((rv = apr_dir_open(&dir, path, p)) != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot open directory '%s': %s", path,
                            apr_strerror(rv, buf, sizeof(buf)));
        return AMT_ETRUST;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        if (fi.name && is_hash_link(fi.name)) links++;
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
