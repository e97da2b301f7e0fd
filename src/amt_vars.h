/*
 * amt_vars.h - the SSL_CLIENT_* variables, formatted exactly as mod_ssl 2.4.71
 * formats them for the same certificate (OpenSSL does the formatting, called
 * with mod_ssl's flags).
 */
#ifndef AMT_VARS_H
#define AMT_VARS_H

#include <time.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "amt_chain.h"
#include "amt_options.h"
#include "amt_verify.h"


/** The client certificate as the variables describe it: the chain the load
 *  balancer forwarded (NULL: none) and the result of verifying it. */
typedef struct amt_client_cert_t {
    const amt_chain_t *chain;
    amt_result_t result;
} amt_client_cert_t;

/**
 * Whether name is a variable amt_var_lookup() can answer (for some
 * certificate): SSL_CLIENT_VERIFY, a fixed name, S_DN_/I_DN_<attr>[_n][_RAW],
 * SAN_<kind>_<n>, CERT_CHAIN_<n>; spelled as mod_ssl accepts it.
 */
int amt_var_name_known(const char *name);

/**
 * Value of one variable, or NULL when it is unknown or has no value here.
 * Identity variables (everything but SSL_CLIENT_VERIFY) are NULL unless the
 * outcome is SUCCESS or GENEROUS.  Name matching follows mod_ssl: every
 * fixed part of a name ignores case ("ssl_client_S_dn_CN" works), except
 * the S/I letter of S_DN/I_DN, the DN attribute name ("CN", "OU", "Email")
 * and the otherName ids "msUPN"/"dnsSRV", which are case-sensitive.
 * Accepts the _n and _RAW forms of DN attributes and the _n SAN forms.
 * flags: AMT_OPT_LEGACY_DN_FORMAT changes SSL_CLIENT_S_DN / SSL_CLIENT_I_DN.
 */
const char *amt_var_lookup(apr_pool_t *p, const amt_client_cert_t *client,
                           const char *name, int flags);

/** What a variable depends on besides the certificate; the result cache
 *  (amt_entry.c) keeps each kind its own way. */
typedef enum {
    AMT_VAR_RESULT,         /* SSL_CLIENT_VERIFY: the result, not the cert */
    AMT_VAR_PLAIN,          /* the certificate alone */
    AMT_VAR_DN_FORMAT,      /* the certificate and LegacyDNStringFormat */
    AMT_VAR_CLOCK,          /* the certificate and the time of use */
    AMT_VAR_CERT_DATA       /* ExportCertData: a certificate as PEM */
} amt_var_kind_e;

typedef void (amt_var_fn)(void *baton, const char *name, const char *value,
                          amt_var_kind_e kind);

/**
 * Calls fn, in order, for every variable amt_vars_export() sets under the
 * same flags, with the variable's kind.
 */
void amt_vars_each(apr_pool_t *p, const amt_client_cert_t *client, int flags,
                   amt_var_fn *fn, void *baton);

/** SSL_CLIENT_V_REMAIN for a leaf whose notAfter is not_after, at now:
 *  whole days left, 0 once expired. */
const char *amt_var_remain(apr_pool_t *p, time_t not_after, time_t now);

/**
 * Sets the variables into env as mod_ssl's fixup does:
 * AMT_OPT_STD_ENV_VARS: SSL_CLIENT_VERIFY and, when verified, every
 * non-empty fixed variable, every recognised DN attribute (first un-suffixed, later _1, _2..),
 * the SAN lists, SSL_CLIENT_SAN_URI_n and SSL_CLIENT_CERT_SHA256.
 * AMT_OPT_EXPORT_CERT_DATA: SSL_CLIENT_CERT ("" when not verified) and
 * SSL_CLIENT_CERT_CHAIN_n for the certificates sent after the leaf.
 */
void amt_vars_export(apr_table_t *env, apr_pool_t *p,
                     const amt_client_cert_t *client,
                     int flags);

/** Lowercase hex SHA-256 of the certificate's DER (64 characters). */
const char *amt_cert_sha256_hex(apr_pool_t *p, X509 *cert);

/** The first commonName of the subject, UTF-8 as SSL_CLIENT_S_DN_CN, or NULL. */
const char *amt_cert_subject_cn(apr_pool_t *p, X509 *cert);

/** Subject DN for log lines: RFC 2253, ASCII only (non-ASCII and control
 *  bytes escaped), cut to at most maxlen bytes with "..." appended. */
const char *amt_cert_subject_for_log(apr_pool_t *p, X509 *cert,
                                     apr_size_t maxlen);

#endif
