/*
 * amt_error.h - status codes of the mod_alb_mtls core.
 *
 * The core (everything under src/) returns apr_status_t.  Its own codes sit
 * in APR's user range; amt_strerror() names them and falls back to
 * apr_strerror() for APR's own codes.
 */
#ifndef AMT_ERROR_H
#define AMT_ERROR_H

#include <apr_errno.h>
#include <apr_pools.h>

#define AMT_ERROR_BASE   (APR_OS_START_USERERR + 4700)
/** the header value is not ALB-style URL-encoded PEM */
#define AMT_EMALFORMED    (AMT_ERROR_BASE + 1)
/** more certificates than AMT_MAX_CERTS */
#define AMT_ETOOMANY      (AMT_ERROR_BASE + 2)
/** the decoded value is larger than AMT_MAX_DECODED */
#define AMT_ETOOLARGE     (AMT_ERROR_BASE + 3)
/** a PEM block holds something that is not a DER X.509 certificate */
#define AMT_EBADCERT      (AMT_ERROR_BASE + 4)
/** two header fields of the same name */
#define AMT_EDUPLICATE    (AMT_ERROR_BASE + 5)
/** a trust source (CA file or directory) cannot be used */
#define AMT_ETRUST        (AMT_ERROR_BASE + 6)
/** an OpenSSL call failed for want of memory or similar */
#define AMT_EOPENSSL      (AMT_ERROR_BASE + 7)
/** a directive value does not parse */
#define AMT_EBADVALUE     (AMT_ERROR_BASE + 8)
/** a header that describes the certificate (a digest, a DN, a serial, a
 *  validity) disagrees with the certificate itself */
#define AMT_EMISMATCH     (AMT_ERROR_BASE + 9)

/** Text for a status: the core's own codes, else apr_strerror(). */
const char *amt_strerror(apr_pool_t *p, apr_status_t rv);

/**
 * Drains OpenSSL's error queue of this thread into one line (entries joined
 * by "; "), allocated from p.  Returns "" when the queue was empty.  Never
 * uses OpenSSL's static buffers.
 */
const char *amt_openssl_errors(apr_pool_t *p);

#endif
