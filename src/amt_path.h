/*
 * amt_path.h - checks on the files and directories named by directives
 * (CA and CRL files and hashed directories), with messages that name them.
 */
#ifndef AMT_PATH_H
#define AMT_PATH_H

#include <apr_file_info.h>
#include <apr_pools.h>
#include <openssl/pem.h>

/**
 * APR_SUCCESS when path exists and is of type want (APR_REG or APR_DIR);
 * otherwise AMT_ETRUST with *err (from p) saying why: "cannot read '<path>':
 * <system error>" or "'<path>' is not a regular file|directory".
 */
apr_status_t amt_path_check(apr_pool_t *p, const char *path,
                            apr_filetype_e want, const char **err);

/**
 * Reads every PEM block of a file (certificates, CRLs, keys) into *infos,
 * to be freed with sk_X509_INFO_pop_free(*infos, X509_INFO_free).  Fails
 * with AMT_ETRUST and *err ("cannot open '<path>': ..." or "'<path>' is
 * not a PEM file: ...", with OpenSSL's reasons) otherwise.
 */
apr_status_t amt_path_read_pem(STACK_OF(X509_INFO) **infos, apr_pool_t *p,
                               const char *path, const char **err);

#endif
