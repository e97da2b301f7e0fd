/*
 * amt_xfcc.h - decoding of Envoy's X-Forwarded-Client-Cert (XFCC) header
 * into DER blobs.
 *
 * The value is a list of elements separated by ',' (one per proxy that
 * handled a client certificate); an element is a list of key=value pairs
 * separated by ';'.  Keys are case-insensitive.  A value may be in double
 * quotes, and must be when it holds ',', ';' or '=' ("Subject" always is);
 * inside quotes a '"' is written \".  Cert is the leaf as URL-encoded PEM,
 * Chain the whole chain, leaf first, in the same encoding; Hash is the hex
 * SHA-256 of the leaf's DER.  (envoyproxy/envoy, docs/root/configuration/
 * http/http_conn_man/headers.rst)
 */
#ifndef AMT_XFCC_H
#define AMT_XFCC_H

#include <apr_pools.h>
#include <apr_tables.h>

/**
 * Decodes an XFCC value into an array of amt_der_t, leaf first.
 *
 * Which element: the LAST one.  With forward_client_cert_details
 * APPEND_FORWARD every Envoy appends its element at the end, so the last
 * element is the one the proxy nearest to this server wrote, and elements
 * before it came from earlier hops or from the client; with SANITIZE_SET
 * there is only one.  Whether the nearest proxy is trusted is the caller's
 * decision (the trusted-peer check), not this function's.
 *
 * - value absent (amt_value_is_absent()): APR_SUCCESS, empty array.
 * - The whole value is parsed, every element, since a quoted ',' can only
 *   be told from a separator by reading from the start: optional SP/HTAB
 *   around each ',' and at both ends; no empty element, no trailing ','.
 *   A pair is key=value with a key of letters, digits, '-' or '_', no
 *   white space around ';' or '='; an unquoted value stops at ';' or ','
 *   and holds no '"', '\\', white space or control byte; a quoted value
 *   ends at the first '"' not escaped, may hold ',', ';' and '=', and
 *   must be followed by ';', ',' or the end.  Inside quotes \" is '"' and
 *   \\ is '\\'; a backslash before any other printable character is kept
 *   with it (RFC 2253 escapes such as \, in Envoy's Subject arrive like
 *   that); a backslash before a control byte or at the end is refused.
 *   Anything else: AMT_EMALFORMED.
 * - In the last element, Cert is required, and Cert, Chain and Hash may
 *   each appear once (a second one could hide the first: AMT_EMALFORMED).
 *   Other keys (By, Subject, URI, DNS, and keys Envoy may add) are not
 *   used.
 * - Cert, after unquoting, must be exactly one certificate in the
 *   encoding amt_header_decode() reads (percent-decoding, PEM); its errors
 *   and limits (AMT_MAX_CERTS, AMT_MAX_DECODED) apply to Cert and to Chain
 *   each.
 * - Hash, when present, must be 64 hex digits (either case), else
 *   AMT_EMALFORMED, and equal the SHA-256 of Cert's DER, else
 *   AMT_EMISMATCH.
 * - Chain, when present, must begin with Cert's certificate (byte for
 *   byte), else AMT_EMISMATCH; the result is then Chain's certificates in
 *   their order (order is not checked here: see amt_rfc9440.h).  Without
 *   Chain the result is Cert's certificate alone.
 * - The whole value longer than 3 * AMT_MAX_DECODED: AMT_ETOOLARGE before
 *   any parsing.
 *
 * On failure *reason is a fixed English phrase without input bytes.
 */
apr_status_t amt_xfcc_decode(apr_array_header_t **ders, apr_pool_t *p,
                             const char *value, const char **reason);

#endif
