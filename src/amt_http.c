/*
 * amt_http.c - one HTTP/1.0 POST over an APR socket (for OCSP).
 *
 * Like mod_ssl's toy client in ssl_util_ocsp.c: HTTP/1.0, the peer closes
 * after the response; unlike it, one deadline covers connect and all reads,
 * the response is bounded to AMT_HTTP_MAX_RESPONSE bytes (a responder's
 * answer is a few KB), and the header block is parsed strictly.
 */
#include <string.h>
#include <apr_network_io.h>
#include <apr_strings.h>

#include "amt_error.h"
#include "amt_http.h"

const char *amt_http_cause_name(amt_http_e e)
{
    switch (e) {
    case AMT_HTTP_OK:          return "ok";
    case AMT_HTTP_UNREACHABLE: return "responder unreachable";
    case AMT_HTTP_TIMEOUT:     return "timeout";
    case AMT_HTTP_STATUS:      return "HTTP status";
    case AMT_HTTP_MALFORMED:   return "malformed response";
    default:                   return "internal error";
    }
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int host_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)
        || c == '-' || c == '.' || c == '_';
}

/* characters allowed in a request target: RFC 3986 pchar, '/' and '?',
 * '%' for escapes; nothing that could break the request line */
static int path_char(int c)
{
    return host_char(c) || c == '~' || c == '/' || c == '?' || c == '%'
        || c == '!' || c == '$' || c == '&' || c == '\'' || c == '('
        || c == ')' || c == '*' || c == '+' || c == ',' || c == ';'
        || c == '=' || c == ':' || c == '@';
}

apr_status_t amt_url_parse(amt_url_t *url, apr_pool_t *p, const char *s,
                           const char **why)
{
    const char *h, *he, *q;
    long port = 80;
    int v6 = 0;

    memset(url, 0, sizeof(*url));
    *why = NULL;
    if (s == NULL || strncasecmp(s, "http://", 7) != 0) {
        *why = "only http:// URLs are supported";
        return AMT_EBADVALUE;
    }
    h = s + 7;
    if (*h == '[') {
        v6 = 1;
        he = strchr(h, ']');
        if (he == NULL || he == h + 1) {
            *why = "bad IPv6 address in URL";
            return AMT_EBADVALUE;
        }
        for (q = h + 1; q < he; q++) {
            if (!(is_digit(*q) || (*q >= 'a' && *q <= 'f')
                  || (*q >= 'A' && *q <= 'F') || *q == ':' || *q == '.')) {
                *why = "bad IPv6 address in URL";
                return AMT_EBADVALUE;
            }
        }
        url->host = apr_pstrmemdup(p, h + 1, (apr_size_t)(he - h - 1));
        q = he + 1;
    }
    else {
        for (q = h; host_char(*q); q++)
            ;
        if (q == h) {
            *why = "no host in URL";
            return AMT_EBADVALUE;
        }
        if (*q == '@') {
            *why = "user information in URL";
            return AMT_EBADVALUE;
        }
        url->host = apr_pstrmemdup(p, h, (apr_size_t)(q - h));
    }
    if (*q == ':') {
        const char *d = ++q;
        port = 0;
        while (is_digit(*q) && port <= 65535) port = port * 10 + (*q++ - '0');
        if (q == d || port < 1 || port > 65535 || is_digit(*q)) {
            *why = "bad port in URL";
            return AMT_EBADVALUE;
        }
    }
    if (*q != '\0' && *q != '/' && *q != '?') {
        *why = "bad character after the host in URL";
        return AMT_EBADVALUE;
    }
    url->path = *q == '\0' ? "/" : q;
    for (; *q; q++) {
        if (!path_char((unsigned char)*q)) {
            *why = "bad character in URL path (fragments, spaces and "
                   "control characters are not allowed)";
            return AMT_EBADVALUE;
        }
    }
    if (*url->path == '?') url->path = apr_pstrcat(p, "/", url->path, NULL);
    url->port = (apr_port_t)port;
    url->hostport = apr_psprintf(p, v6 ? "[%s]:%d" : "%s:%d", url->host,
                                 (int)port);
    return APR_SUCCESS;
}

/* the next line of [*pos, end) ending in CRLF (or a bare LF, as tolerated
 * by mod_ssl); NULL on a bare CR, a NUL, an over-long or unterminated line */
static const unsigned char *next_line(const unsigned char **pos,
                                      const unsigned char *end,
                                      apr_size_t *line_len)
{
    const unsigned char *s = *pos, *c;

    for (c = s; c < end; c++) {
        if (*c == '\n') {
            apr_size_t n = (apr_size_t)(c - s);
            if (n > 0 && s[n - 1] == '\r') n--;
            *line_len = n;
            *pos = c + 1;
            return s;
        }
        if (*c == '\0') return NULL;
        if (*c == '\r' && (c + 1 >= end || c[1] != '\n')) return NULL;
        if ((apr_size_t)(c - s) >= AMT_HTTP_MAX_LINE) return NULL;
    }
    return NULL;
}

static int tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)
        || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

amt_http_e amt_http_parse_response(const unsigned char *buf, apr_size_t len,
                                   int *status,
                                   const unsigned char **body,
                                   apr_size_t *body_len, const char **why)
{
    const unsigned char *pos = buf, *end = buf + len, *line;
    apr_size_t n, i;
    int headers = 0, code;
    long long clen = -1;

    *status = 0;
    *body = NULL;
    *body_len = 0;
    *why = NULL;
    line = next_line(&pos, end, &n);
    /* "HTTP/1.x SP 3DIGIT [SP reason]" */
    if (line == NULL || n < 12 || memcmp(line, "HTTP/1.", 7) != 0
        || !is_digit(line[7]) || line[8] != ' ' || !is_digit(line[9])
        || !is_digit(line[10]) || !is_digit(line[11])
        || (n > 12 && line[12] != ' ')) {
        *why = "bad status line";
        return AMT_HTTP_MALFORMED;
    }
    code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (code < 100) {
        *why = "bad status code";
        return AMT_HTTP_MALFORMED;
    }
    for (i = 12; i < n; i++) {
        if (line[i] < 0x20 && line[i] != '\t') {
            *why = "control character in status line";
            return AMT_HTTP_MALFORMED;
        }
    }
    *status = code;
    for (;;) {
        apr_size_t colon;
        if ((line = next_line(&pos, end, &n)) == NULL) {
            *why = "bad or unterminated header block";
            return AMT_HTTP_MALFORMED;
        }
        if (n == 0) break;
        if (++headers > AMT_HTTP_MAX_HEADERS) {
            *why = "too many header lines";
            return AMT_HTTP_MALFORMED;
        }
        for (colon = 0; colon < n && tchar(line[colon]); colon++)
            ;
        if (colon == 0 || colon >= n || line[colon] != ':') {
            *why = "bad header line";
            return AMT_HTTP_MALFORMED;
        }
        for (i = colon + 1; i < n; i++) {
            if ((line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f) {
                *why = "control character in a header value";
                return AMT_HTTP_MALFORMED;
            }
        }
        if (colon == 14 && strncasecmp((const char *)line, "Content-Length",
                                       14) == 0) {
            long long v = 0;
            int digits = 0;
            i = colon + 1;
            while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
            while (i < n && is_digit(line[i]) && v <= AMT_HTTP_MAX_RESPONSE) {
                v = v * 10 + (line[i++] - '0');
                digits++;
            }
            while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
            if (!digits || i != n || v > AMT_HTTP_MAX_RESPONSE
                || (clen >= 0 && clen != v)) {
                *why = "bad Content-Length";
                return AMT_HTTP_MALFORMED;
            }
            clen = v;
        }
        else if (colon == 17 && strncasecmp((const char *)line,
                                            "Transfer-Encoding", 17) == 0) {
            *why = "Transfer-Encoding in an HTTP/1.0 exchange";
            return AMT_HTTP_MALFORMED;
        }
    }
    if (code < 200 || code > 299) {
        *why = "status not 2xx";
        return AMT_HTTP_STATUS;
    }
    n = (apr_size_t)(end - pos);
    if (clen >= 0) {
        if ((apr_size_t)clen > n) {
            *why = "body shorter than Content-Length";
            return AMT_HTTP_MALFORMED;
        }
        n = (apr_size_t)clen;
    }
    *body = pos;
    *body_len = n;
    return AMT_HTTP_OK;
}

/* time left until deadline, at least 1 ms; 0 when it passed */
static apr_interval_time_t left(apr_time_t deadline)
{
    apr_time_t now = apr_time_now();

    if (now >= deadline) return 0;
    return deadline - now < 1000 ? 1000 : deadline - now;
}

static amt_http_e io_cause(apr_status_t rv)
{
    return APR_STATUS_IS_TIMEUP(rv) || APR_STATUS_IS_EAGAIN(rv)
           ? AMT_HTTP_TIMEOUT : AMT_HTTP_UNREACHABLE;
}

amt_http_e amt_http_post(apr_pool_t *p, const amt_url_t *url,
                         const char *content_type,
                         const unsigned char *body, apr_size_t body_len,
                         apr_interval_time_t timeout,
                         const unsigned char **resp, apr_size_t *resp_len,
                         int *status, const char **why)
{
    apr_time_t deadline = apr_time_now() + timeout;
    apr_sockaddr_t *sa;
    apr_socket_t *sd = NULL;
    apr_status_t rv;
    char *head, *req;
    unsigned char *in;
    apr_size_t head_len, total, got = 0;
    amt_http_e e;

    *resp = NULL;
    *resp_len = 0;
    *status = 0;
    *why = NULL;
    rv = apr_sockaddr_info_get(&sa, url->host, APR_UNSPEC, url->port, 0, p);
    if (rv != APR_SUCCESS) {
        *why = apr_psprintf(p, "cannot resolve %s: %s", url->host,
                            amt_strerror(p, rv));
        return AMT_HTTP_UNREACHABLE;
    }
    /* every address in turn until one connects, as mod_ssl does */
    for (; sa != NULL; sa = sa->next) {
        apr_interval_time_t t = left(deadline);
        if (t == 0) {
            rv = APR_TIMEUP;
            break;
        }
        rv = apr_socket_create(&sd, sa->family, SOCK_STREAM, APR_PROTO_TCP,
                               p);
        if (rv != APR_SUCCESS) {
            sd = NULL;
            continue;
        }
        apr_socket_timeout_set(sd, t);
        rv = apr_socket_connect(sd, sa);
        if (rv == APR_SUCCESS) break;
        apr_socket_close(sd);
        sd = NULL;
    }
    if (sd == NULL) {
        *why = apr_psprintf(p, "cannot connect to %s: %s", url->hostport,
                            amt_strerror(p, rv));
        return io_cause(rv);
    }

    head = apr_psprintf(p, "POST %s HTTP/1.0\r\nHost: %s\r\n"
                        "Content-Type: %s\r\nContent-Length: %"
                        APR_SIZE_T_FMT "\r\nConnection: close\r\n\r\n",
                        url->path, url->hostport, content_type, body_len);
    head_len = strlen(head);
    req = apr_palloc(p, head_len + body_len);
    memcpy(req, head, head_len);
    if (body_len) memcpy(req + head_len, body, body_len);
    total = head_len + body_len;
    while (got < total) {
        apr_size_t n = total - got;
        apr_interval_time_t t = left(deadline);
        if (t == 0) {
            rv = APR_TIMEUP;
            break;
        }
        apr_socket_timeout_set(sd, t);
        rv = apr_socket_send(sd, req + got, &n);
        got += n;
        if (rv != APR_SUCCESS) break;
    }
    if (got < total) {
        apr_socket_close(sd);
        *why = apr_psprintf(p, "cannot send the request to %s: %s",
                            url->hostport, amt_strerror(p, rv));
        return io_cause(rv);
    }

    /* the whole response, until the peer closes; one byte more than the
     * limit tells "too large" */
    in = apr_palloc(p, AMT_HTTP_MAX_RESPONSE + 1);
    got = 0;
    for (;;) {
        apr_size_t n = AMT_HTTP_MAX_RESPONSE + 1 - got;
        apr_interval_time_t t = left(deadline);
        if (t == 0) {
            rv = APR_TIMEUP;
            break;
        }
        apr_socket_timeout_set(sd, t);
        rv = apr_socket_recv(sd, (char *)in + got, &n);
        got += n;
        if (rv != APR_SUCCESS || got > AMT_HTTP_MAX_RESPONSE) break;
    }
    apr_socket_close(sd);
    if (got > AMT_HTTP_MAX_RESPONSE) {
        *why = apr_psprintf(p, "response larger than %d bytes",
                            AMT_HTTP_MAX_RESPONSE);
        return AMT_HTTP_MALFORMED;
    }
    if (!APR_STATUS_IS_EOF(rv)) {
        *why = apr_psprintf(p, "reading from %s: %s", url->hostport,
                            amt_strerror(p, rv));
        return io_cause(rv);
    }
    e = amt_http_parse_response(in, got, status, resp, resp_len, why);
    if (e == AMT_HTTP_STATUS) {
        *why = apr_psprintf(p, "status %d", *status);
    }
    return e;
}
