/*
 * amt_path.c - checks on configured paths (see amt_path.h).
 */
#include <apr_strings.h>
#include <openssl/err.h>

#include "amt_path.h"
#include "amt_error.h"

apr_status_t amt_path_check(apr_pool_t *p, const char *path,
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

apr_status_t amt_path_read_pem(STACK_OF(X509_INFO) **infos, apr_pool_t *p,
                               const char *path, const char **err)
{
    BIO *bio;

    ERR_clear_error();
    if ((bio = BIO_new_file(path, "r")) == NULL) {
        *err = apr_psprintf(p, "cannot open '%s': %s", path,
                            amt_openssl_errors(p));
        return AMT_ETRUST;
    }
    *infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (*infos == NULL) {
        *err = apr_psprintf(p, "'%s' is not a PEM file: %s", path,
                            amt_openssl_errors(p));
        return AMT_ETRUST;
    }
    return APR_SUCCESS;
}
