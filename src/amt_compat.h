/*
 * amt_compat.h - the one place for OpenSSL and APR version differences.
 *
 * The code is written against OpenSSL 3 and APR 1.7.  This header supplies
 * what older supported versions lack, under the newer names, so that the
 * callers carry no version checks of their own:
 *
 *   OpenSSL 1.1.1 (Debian 11, RHEL 8)
 *     EVP_MD_fetch          none: NULL, and callers fall back to
 *                           EVP_sha256() (1.1.1 has no providers, so there
 *                           is no fetch to save)
 *     ERR_get_error_all     ERR_get_error_line_data (no function name)
 *     EVP_RSA_gen           EVP_PKEY_keygen with the bits set   (tests)
 *     EVP_EC_gen            EVP_PKEY_keygen with the curve set  (tests)
 *     X509_NAME_hash_ex     X509_NAME_hash (SHA-1 either way)   (tests)
 *     X509_VERSION_3        2
 *     NID_SRVName           id-on-dnsSRV (RFC 4985), not in 1.1.1's
 *                           object table: registered once, or the one
 *                           mod_ssl registered (amt_compat.c)
 *   APR 1.6 (RHEL 8)
 *     apr_atomic_{read,set,inc,dec,add,sub}64   GCC __atomic built-ins
 *
 * Older versions than these are not supported: OpenSSL 1.1.0 and earlier
 * lack functions used throughout (X509_get0_notAfter...) and fail the
 * build below with a message.  httpd's own differences are in
 * mod_alb_mtls_compat.h; this header includes no httpd header, so the core
 * (src/) can use it.
 *
 * AMT_COMPAT_FORCE_APR16, for a test build only, uses the APR 1.6
 * replacements on a newer APR (the macros below then shadow APR's
 * functions), so that `make test` compiles and runs them
 * (build/compat/, see Makefile.apxs).
 */
#ifndef AMT_COMPAT_H
#define AMT_COMPAT_H

#include <apr.h>
#include <apr_atomic.h>
#include <apr_version.h>
#include <openssl/opensslv.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#if OPENSSL_VERSION_NUMBER < 0x10101000L
#error "mod_alb_mtls needs OpenSSL 1.1.1 or later"
#endif

/* ------------------------------------------------------- OpenSSL 1.1.1 */
#if OPENSSL_VERSION_NUMBER < 0x30000000L

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#define EVP_MD_fetch(libctx, algorithm, properties) ((EVP_MD *)NULL)

static inline unsigned long amt_compat_err_get_error_all(const char **file,
        int *line, const char **func, const char **data, int *flags)
{
    if (func != NULL) *func = "";
    return ERR_get_error_line_data(file, line, data, flags);
}
#define ERR_get_error_all amt_compat_err_get_error_all

static inline EVP_PKEY *amt_compat_keygen(int id, int rsa_bits, int ec_nid)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(id, NULL);
    EVP_PKEY *key = NULL;

    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0
        || (rsa_bits && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, rsa_bits) <= 0)
        || (ec_nid && EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, ec_nid) <= 0)
        || EVP_PKEY_keygen(ctx, &key) <= 0) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

static inline EVP_PKEY *amt_compat_rsa_gen(unsigned int bits)
{
    return amt_compat_keygen(EVP_PKEY_RSA, (int)bits, 0);
}
#define EVP_RSA_gen amt_compat_rsa_gen

static inline EVP_PKEY *amt_compat_ec_gen(const char *curve)
{
    int nid = EC_curve_nist2nid(curve);

    if (nid == NID_undef) nid = OBJ_sn2nid(curve);
    return nid == NID_undef ? NULL : amt_compat_keygen(EVP_PKEY_EC, 0, nid);
}
#define EVP_EC_gen amt_compat_ec_gen

static inline unsigned long amt_compat_name_hash(const X509_NAME *name,
        void *libctx, const char *propq, int *ok)
{
    (void)libctx;
    (void)propq;
    if (ok != NULL) *ok = 1;
    return X509_NAME_hash((X509_NAME *)name);
}
#define X509_NAME_hash_ex amt_compat_name_hash

#ifndef X509_VERSION_3
#define X509_VERSION_3 2
#endif

#ifndef NID_SRVName
int amt_compat_nid_srvname(void);
#define NID_SRVName amt_compat_nid_srvname()
#endif

#endif /* OpenSSL < 3.0 */

/* ------------------------------------------------------------ APR 1.6 */
#if !APR_VERSION_AT_LEAST(1, 7, 0) || defined(AMT_COMPAT_FORCE_APR16)

/* the APR 1.7 signatures; sequentially consistent like APR's own */
static inline apr_uint64_t amt_compat_atomic_read64(volatile apr_uint64_t *m)
{
    return __atomic_load_n(m, __ATOMIC_SEQ_CST);
}
static inline void amt_compat_atomic_set64(volatile apr_uint64_t *m,
                                           apr_uint64_t v)
{
    __atomic_store_n(m, v, __ATOMIC_SEQ_CST);
}
static inline apr_uint64_t amt_compat_atomic_add64(volatile apr_uint64_t *m,
                                                   apr_uint64_t v)
{
    return __atomic_fetch_add(m, v, __ATOMIC_SEQ_CST);
}
static inline void amt_compat_atomic_sub64(volatile apr_uint64_t *m,
                                           apr_uint64_t v)
{
    (void)__atomic_fetch_sub(m, v, __ATOMIC_SEQ_CST);
}
static inline apr_uint64_t amt_compat_atomic_inc64(volatile apr_uint64_t *m)
{
    return __atomic_fetch_add(m, 1, __ATOMIC_SEQ_CST);
}
static inline int amt_compat_atomic_dec64(volatile apr_uint64_t *m)
{
    return __atomic_sub_fetch(m, 1, __ATOMIC_SEQ_CST) != 0;
}
#define apr_atomic_read64 amt_compat_atomic_read64
#define apr_atomic_set64  amt_compat_atomic_set64
#define apr_atomic_add64  amt_compat_atomic_add64
#define apr_atomic_sub64  amt_compat_atomic_sub64
#define apr_atomic_inc64  amt_compat_atomic_inc64
#define apr_atomic_dec64  amt_compat_atomic_dec64

#endif /* APR < 1.7 */

#endif /* AMT_COMPAT_H */
