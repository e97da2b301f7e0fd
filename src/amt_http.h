/*
 * amt_http.h - the smallest HTTP/1.0 client the OCSP check needs: one POST
 * to an http:// URL over an APR socket, as mod_ssl's ssl_util_ocsp.c does
 * it, with a deadline for connect and read together, a bounded response,
 * a strictly parsed status line and header block, and no redirects.
 */
#ifndef AMT_HTTP_H
#define AMT_HTTP_H

#include <apr_pools.h>
#include <apr_time.h>
#include <apr_network_io.h>

/** longest response accepted, status line and headers included */
#define AMT_HTTP_MAX_RESPONSE   (64 * 1024)
/** longest status line or header line, and most header lines */
#define AMT_HTTP_MAX_LINE       8192
#define AMT_HTTP_MAX_HEADERS    100

typedef struct amt_url_t {
    const char *host;       /* name or address; IPv6 without brackets */
    apr_port_t port;        /* 80 when not given */
    const char *path;       /* path and query, "/" when none */
    const char *hostport;   /* "host:port" as written in Host: and logs */
} amt_url_t;

/** Why a fetch did not give a body (amt_http_post). */
typedef enum {
    AMT_HTTP_OK = 0,
    AMT_HTTP_UNREACHABLE,   /* name did not resolve, connect refused, send
                             * failed, connection reset */
    AMT_HTTP_TIMEOUT,       /* the deadline passed */
    AMT_HTTP_STATUS,        /* a status other than 2xx */
    AMT_HTTP_MALFORMED,     /* not an HTTP/1.x response, bad header block,
                             * too large, body shorter than Content-Length */
    AMT_HTTP_INTERNAL       /* out of memory or similar */
} amt_http_e;

/**
 * Parses an http:// URL (scheme case-insensitive; no user info, no
 * fragment; host a name, IPv4 address or [IPv6]; port 1-65535).  Any other
 * scheme (https included) is refused.  AMT_EBADVALUE with *why on refusal.
 */
apr_status_t amt_url_parse(amt_url_t *url, apr_pool_t *p, const char *s,
                           const char **why);

/**
 * Parses a whole response as read from the socket (buf, len): the status
 * line "HTTP/1.x NNN reason", header lines (field-name ':' value, no
 * obsolete folding, no bare CR, no NUL), the empty line, then the body,
 * which is cut to Content-Length when given (a body shorter than it is
 * malformed).  *status is set whenever the status line parsed.  Returns
 * AMT_HTTP_OK with *body and *body_len for a 2xx response, AMT_HTTP_STATUS for
 * another status, AMT_HTTP_MALFORMED otherwise (with *why).  Never reads
 * outside buf.
 */
amt_http_e amt_http_parse_response(const unsigned char *buf, apr_size_t len,
                                   int *status,
                                   const unsigned char **body,
                                   apr_size_t *body_len, const char **why);

/**
 * POSTs body (content_type) to url as HTTP/1.0 and reads the whole
 * response until the peer closes, at most AMT_HTTP_MAX_RESPONSE bytes, all
 * within `timeout` from the call (connect, send and every read).  On
 * AMT_HTTP_OK *resp and *resp_len is the response body (from p).  *status is
 * the HTTP status when one was read, else 0; *why says what went wrong.
 */
amt_http_e amt_http_post(apr_pool_t *p, const amt_url_t *url,
                         const char *content_type,
                         const unsigned char *body, apr_size_t body_len,
                         apr_interval_time_t timeout,
                         const unsigned char **resp, apr_size_t *resp_len,
                         int *status, const char **why);

/** "unreachable", "timeout", "HTTP status", "malformed response", ... */
const char *amt_http_cause_name(amt_http_e e);

#endif
