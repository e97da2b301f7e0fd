/*
 * amt_b64der.h - decoding of a header that holds certificates as plain
 * base64 of their DER, one line each: Azure App Service's
 * X-ARR-ClientCert, HAProxy's %[ssl_c_der,base64], F5 iRules' b64encode,
 * Cloudflare's Cf-Client-Cert-Der-Base64, and Traefik's
 * X-Forwarded-Tls-Client-Cert, which joins a chain with ','.
 */
#ifndef AMT_B64DER_H
#define AMT_B64DER_H

#include <apr_pools.h>
#include <apr_tables.h>

/**
 * Decodes the value into an array of amt_der_t, leaf first, in the order
 * of the value (Traefik sends the client's chain leaf first, as the client
 * sent it; order is not checked here: see amt_rfc9440.h).
 *
 * - value absent (amt_value_is_absent()): APR_SUCCESS, empty array.
 * - A value holding '%' is percent-decoded first (amt_pct_decode(): Traefik
 *   before 2.9.4 URL-escaped '+', '/', '=' and ','); base64 has no '%', so
 *   the two forms cannot be confused.
 * - Then: optional white space (SP, HTAB, CR, LF) at both ends, and one
 *   or more members separated by ',' with optional SP/HTAB around it; no
 *   empty member, no trailing ','.  A member is strict base64 (RFC 4648
 *   alphabet, '=' padding, zero pad bits, no white space inside) of a
 *   non-empty blob.  Anything else: AMT_EMALFORMED.
 * - Two header fields that httpd merged with ", " read as a two-member
 *   chain here: this format cannot tell them apart (the caller may count
 *   header lines before httpd merges them).
 * - More than AMT_MAX_CERTS members: AMT_ETOOMANY; the value (after
 *   percent-decoding) longer than AMT_MAX_DECODED: AMT_ETOOLARGE.
 *
 * On failure *reason is a fixed English phrase without input bytes.
 */
apr_status_t amt_b64der_decode(apr_array_header_t **ders, apr_pool_t *p,
                               const char *value, const char **reason);

#endif
