/*
 * amt_match.h - arguments of the Require providers (alb-mtls-*): strict
 * parsers used while the configuration is read, and the matchers used per
 * request.  Parsers return AMT_EBADVALUE with an English message allocated
 * from p, which the glue prefixes with the directive.
 */
#ifndef AMT_MATCH_H
#define AMT_MATCH_H

#include <apr_pools.h>

#define AMT_SHA256_HEX_LEN 64

/**
 * A SHA-256 fingerprint: 64 hex digits, colons anywhere ignored, case
 * ignored ("AB:CD:..." as `openssl x509 -fingerprint -sha256` prints it, or
 * plain hex).  *hex gets the 64 lowercase digits.
 */
apr_status_t amt_parse_fingerprint(const char **hex, apr_pool_t *p,
                                   const char *word, const char **err);

/**
 * A DNS name for alb-mtls-san-dns: labels of letters, digits, '-' and '_'
 * (1 to 63 bytes each, 253 in all), or "*." followed by such a name of at
 * least two labels (one wildcard label, leftmost only).  *out gets the name
 * in lowercase, without a trailing dot.
 */
apr_status_t amt_parse_dns_pattern(const char **out, apr_pool_t *p,
                                   const char *word, const char **err);

/**
 * 1 when the certificate's DNS name matches the pattern (as made by
 * amt_parse_dns_pattern): equal ignoring ASCII case and one trailing dot of
 * the name, or, for "*.rest", exactly one non-empty label without a dot
 * followed by ".rest".
 */
int amt_match_dns(const char *pattern, const char *name);

/** A URI for alb-mtls-san-uri: "scheme:rest" (RFC 3986 scheme, rest not
 *  empty), no spaces or control bytes.  Compared exactly. */
apr_status_t amt_parse_uri(apr_pool_t *p, const char *word, const char **err);

/** An address for alb-mtls-san-email: "local@domain", both parts non-empty,
 *  one '@', no spaces or control bytes. */
apr_status_t amt_parse_email(apr_pool_t *p, const char *word,
                             const char **err);

/** 1 when the certificate's address equals want: local part exactly, domain
 *  ignoring ASCII case. */
int amt_match_email(const char *want, const char *have);

/**
 * 1 when a user name has the form of a certificate DN as the module
 * writes one (FakeBasicAuth's user, SSL_CLIENT_S_DN): after leading blanks,
 * it starts with '/' (the legacy "/O=../CN=.." form), or with an attribute
 * type that OpenSSL knows by short or long name (in any case) or a dotted
 * OID, followed by '=' (the RFC 2253 "CN=..,O=.." form).  Such a name is an
 * identity only when a verified certificate carries it: a client that
 * sends it as a Basic user is forging one.
 */
int amt_user_is_dn_form(const char *user);

#endif
