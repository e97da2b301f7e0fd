/*
 * amt_path.h - checks on the files and directories named by directives
 * (CA and CRL files and hashed directories), with messages that name them.
 */
#ifndef AMT_PATH_H
#define AMT_PATH_H

#include <apr_file_info.h>
#include <apr_pools.h>

/**
 * APR_SUCCESS when path exists and is of type want (APR_REG or APR_DIR);
 * otherwise AMT_ETRUST with *err (from p) saying why: "cannot read '<path>':
 * <system error>" or "'<path>' is not a regular file|directory".
 */
apr_status_t amt_path_check(apr_pool_t *p, const char *path,
                            apr_filetype_e want, const char **err);

#endif
