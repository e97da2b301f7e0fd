/*
 * amt_desc.h - the "verify mode" formats: a proxy that verified the client
 * itself forwards the leaf alone, as URL-encoded PEM, beside headers that
 * describe it:
 *   ALB verify mode:  X-Amzn-Mtls-Clientcert-Leaf, -Subject, -Issuer,
 *                     -Serial-Number, -Validity
 *   CloudFront viewer mTLS (required/optional modes): CloudFront-Viewer-
 *                     Cert-Pem, -Subject, -Issuer, -Serial-Number,
 *                     -Validity, -Sha256
 * The descriptions are never used in place of the certificate; this file
 * checks that they agree with it.
 */
#ifndef AMT_DESC_H
#define AMT_DESC_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/x509.h>

/**
 * Decodes the leaf header (X-Amzn-Mtls-Clientcert-Leaf,
 * CloudFront-Viewer-Cert-Pem) as amt_header_decode() does, and refuses a
 * value that holds more than one certificate (AMT_EMALFORMED): these
 * proxies send the leaf alone, so verifying needs the intermediates among
 * the configured trust anchors.  Absent value: APR_SUCCESS, empty array.
 */
apr_status_t amt_leaf_decode(apr_array_header_t **ders, apr_pool_t *p,
                             const char *value, const char **reason);

/** The descriptive header values; NULL for a header the request lacks,
 *  which is then not checked. */
typedef struct amt_desc_t {
    const char *subject;   /* RFC 2253 DN, e.g. "CN=c,OU=o,O=mTLS,C=US" */
    const char *issuer;    /* RFC 2253 DN */
    const char *serial;    /* hex: ALB "03A5B1", CloudFront "03:a5:b1" */
    const char *validity;  /* "NotBefore=2023-09-21T01:50:17Z;NotAfter=..." */
    const char *sha256;    /* hex SHA-256 of the DER (CloudFront only) */
} amt_desc_t;

/**
 * Checks each present description against leaf.  APR_SUCCESS when all
 * agree; AMT_EMISMATCH when one does not (reason names which: "Subject
 * header disagrees with the certificate", ...); AMT_EMALFORMED when
 * Serial-Number, Validity or Sha256 does not have its format.
 *
 * - subject/issuer: equal, byte for byte, to OpenSSL's RFC 2253 rendering
 *   of the name (XN_FLAG_RFC2253), either with non-ASCII bytes escaped as
 *   \XX or left as UTF-8.  AWS documents only ASCII examples, so how ALB
 *   and CloudFront render other characters is unverified.
 * - serial: hex digits, optionally ':' between bytes, either case; equal
 *   as a number to the serial (leading zeros do not matter, so a DER
 *   serial with a leading 00 byte matches written with or without it).
 * - validity: exactly "NotBefore=YYYY-MM-DDTHH:MM:SSZ;NotAfter=
 *   YYYY-MM-DDTHH:MM:SSZ", both equal to the certificate's times.
 * - sha256: 64 hex digits (either case, ':' between bytes allowed), equal
 *   to the SHA-256 of the certificate's DER.
 */
apr_status_t amt_desc_check(apr_pool_t *p, X509 *leaf, const amt_desc_t *desc,
                            const char **reason);

#endif
