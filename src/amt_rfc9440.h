/*
 * amt_rfc9440.h - decoding of RFC 9440's Client-Cert and Client-Cert-Chain
 * header fields (Google Cloud's load balancers, Cloudflare, CloudFront's
 * passthrough mode, Envoy's RFC 9440 filter) into DER blobs.
 *
 * Both fields are Structured Fields (RFC 9651, which obsoletes RFC 8941):
 *   Client-Cert:        an Item, a Byte Sequence ":<base64 of the DER>:"
 *   Client-Cert-Chain:  a List of Byte Sequences, each certificate followed
 *                       by the one that issued it (the leaf is not in it)
 * Parsing is strict: what RFC 9651 section 4.2 refuses is refused, and so
 * are the few things it lets through that no RFC 9440 sender produces (see
 * amt_rfc9440_decode()).  This file parses no certificate.
 */
#ifndef AMT_RFC9440_H
#define AMT_RFC9440_H

#include <apr_pools.h>
#include <apr_tables.h>

/**
 * Decodes the two header values into an array of amt_der_t (as
 * amt_header_decode() in amt_decode.h makes): the Client-Cert certificate
 * first, then the Client-Cert-Chain members in their header order.  The
 * order is kept as sent; nothing here checks who issued what (path
 * building in amt_verify.c takes the certificates after the leaf as an
 * unordered untrusted set).
 *
 * cert:  the Client-Cert value; chain: the Client-Cert-Chain value, or NULL
 * when the request has none.  Several Client-Cert-Chain lines that httpd
 * merged with ", " form one list, as RFC 9651 section 4.2 says.
 *
 * - cert absent (amt_value_is_absent()) and chain absent: APR_SUCCESS with
 *   an empty array: no certificate.
 * - cert absent but chain present: AMT_EMALFORMED.
 * - cert must be, after optional leading and trailing spaces (SP only), one
 *   Byte Sequence: ':', base64 characters (A-Z a-z 0-9 + / =), ':'.  A ','
 *   after it means two Client-Cert fields were merged: AMT_EDUPLICATE
 *   (RFC 9440 section 2.2 allows one).  Anything else: AMT_EMALFORMED.
 * - chain must be a List: leading and trailing SP, members separated by
 *   OWS "," OWS (SP or HTAB), no empty member, no trailing comma, every
 *   member a Byte Sequence (no Inner List, no other item type).
 * - Parameters (";key=value" after an item) are refused on both fields:
 *   RFC 9440 defines none, no sender adds any, and refusing them keeps the
 *   accepted language small (RFC 9651 would have a parser ignore unknown
 *   ones; this one fails closed instead).
 * - The base64 must be canonical: padded with '=' to a multiple of 4, pad
 *   bits zero (RFC 9651 section 4.1.8 has senders produce exactly that;
 *   section 4.2.7 would let a parser accept less, this one does not).
 *   An empty Byte Sequence ("::") is refused.
 * - More than AMT_MAX_CERTS certificates in all: AMT_ETOOMANY.  cert and
 *   chain together longer than AMT_MAX_DECODED bytes: AMT_ETOOLARGE,
 *   checked before any decoding.
 *
 * On failure *reason is a fixed English phrase ("malformed header: ...")
 * that holds no input byte, fit for "SSL_CLIENT_VERIFY=FAILED:<reason>".
 */
apr_status_t amt_rfc9440_decode(apr_array_header_t **ders, apr_pool_t *p,
                                const char *cert, const char *chain,
                                const char **reason);

#endif
