/*
 * test_ocsp.c - the OCSP core: settings (amt_ocsp_parse_mode, merge,
 * material), URLs and HTTP responses (amt_http), the request and the check
 * of an answer (amt_ocsp_request, amt_ocsp_check) with answers built here
 * by OpenSSL (good, revoked, unknown, no nonce, wrong signer, trusted
 * responder file, too old, expired, unsuccessful, garbage), the encoded
 * answer for the cache, and amt_http_post against local sockets (an
 * answer, a peer that never answers, a closed port).
 */
#include <string.h>
#include <apr_general.h>
#include <apr_network_io.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <openssl/ocsp.h>

#include "amt_error.h"
#include "amt_http.h"
#include "amt_ocsp.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"

static pki_cert_t *root, *inter, *leaf, *leaf2, *other;

typedef struct {
    int status;             /* V_OCSP_CERTSTATUS_* */
    long this_off, next_off;/* seconds from now; next_off 0: no nextUpdate */
    int nonce;              /* copy the request's nonce */
    const pki_cert_t *signer;
    const pki_cert_t *about;/* the certificate answered for (default: the
                             * requested one) */
    int resp_status;        /* OCSP_RESPONSE_STATUS_* */
} answer_spec_t;

static unsigned char *make_answer(apr_pool_t *p, const amt_ocsp_req_t *req,
                                  const answer_spec_t *a, apr_size_t *len)
{
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    OCSP_RESPONSE *resp;
    ASN1_TIME *thisupd = X509_gmtime_adj(NULL, a->this_off);
    ASN1_TIME *nextupd = a->next_off ? X509_gmtime_adj(NULL, a->next_off)
                                     : NULL;
    ASN1_TIME *rev = X509_gmtime_adj(NULL, -86400);
    OCSP_CERTID *id = a->about ? OCSP_cert_to_id(NULL, a->about->x509,
                                                 inter->x509)
                               : OCSP_CERTID_dup(req->id);
    unsigned char *der = NULL, *out;
    int n;

    if (a->resp_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        resp = OCSP_response_create(a->resp_status, NULL);
    }
    else {
        OCSP_basic_add1_status(bs, id, a->status,
                               a->status == V_OCSP_CERTSTATUS_REVOKED
                                   ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : -1,
                               a->status == V_OCSP_CERTSTATUS_REVOKED ? rev
                                                                      : NULL,
                               thisupd, nextupd);
        if (a->nonce) OCSP_copy_nonce(bs, req->req);
        if (!OCSP_basic_sign(bs, a->signer->x509, a->signer->key,
                             EVP_sha256(), NULL, 0)) {
            bail_out("OCSP_basic_sign failed");
        }
        resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    }
    n = i2d_OCSP_RESPONSE(resp, &der);
    out = apr_pmemdup(p, der, (apr_size_t)n);
    *len = (apr_size_t)n;
    OPENSSL_free(der);
    OCSP_RESPONSE_free(resp);
    OCSP_BASICRESP_free(bs);
    OCSP_CERTID_free(id);
    ASN1_TIME_free(thisupd);
    ASN1_TIME_free(nextupd);
    ASN1_TIME_free(rev);
    return out;
}

static void test_settings(apr_pool_t *p)
{
    amt_ocsp_conf_t *a = amt_ocsp_conf_make(p), *b = amt_ocsp_conf_make(p);
    const amt_ocsp_conf_t *m;
    unsigned char ma[AMT_OCSP_MATERIAL_LEN], mb[AMT_OCSP_MATERIAL_LEN];
    static const unsigned char zero[AMT_OCSP_MATERIAL_LEN];
    const char *why;
    int mode, ok_flag;

    ok(amt_ocsp_parse_mode(&mode, &ok_flag, p, "leaf no_ocsp_for_cert_ok",
                           &why) == APR_SUCCESS
       && mode == AMT_OCSP_LEAF && ok_flag, "mode: leaf no_ocsp_for_cert_ok");
    ok(amt_ocsp_parse_mode(&mode, &ok_flag, p, "ON", &why) == APR_SUCCESS
       && mode == AMT_OCSP_ON && !ok_flag, "mode: ON (case-insensitive)");
    ok(amt_ocsp_parse_mode(&mode, &ok_flag, p, "off", &why) == APR_SUCCESS
       && mode == AMT_OCSP_OFF, "mode: off");
    ok(amt_ocsp_parse_mode(&mode, &ok_flag, p, "maybe", &why) != APR_SUCCESS,
       "mode: maybe refused");
    ok(amt_ocsp_parse_mode(&mode, &ok_flag, p, "off no_ocsp_for_cert_ok",
                           &why) != APR_SUCCESS, "mode: off with the flag refused");
    ok(amt_ocsp_parse_mode(&mode, &ok_flag, p, "on x y", &why) != APR_SUCCESS,
       "mode: extra words refused");
    ok(amt_ocsp_parse_mode(&mode, &ok_flag, p, "", &why) != APR_SUCCESS,
       "mode: empty refused");

    is_int(amt_ocsp_timeout(a), 10, "default timeout 10");
    is_int(amt_ocsp_max_age(a), -1, "default max age -1");
    is_int(amt_ocsp_skew(a), 300, "default skew 300");
    ok(amt_ocsp_nonce(a), "default nonce on");
    ok(amt_ocsp_mode(NULL) == AMT_OCSP_OFF, "NULL conf: off");
    amt_ocsp_material(ma, a);
    ok(memcmp(ma, zero, sizeof(zero)) == 0, "material of an off conf: zeros");

    a->mode = AMT_OCSP_LEAF;
    b->timeout = 3;
    m = amt_ocsp_conf_merge(p, a, b);
    ok(amt_ocsp_mode(m) == AMT_OCSP_LEAF && amt_ocsp_timeout(m) == 3,
       "merge: mode from base, timeout from add");
    ok(amt_ocsp_conf_merge(p, a, amt_ocsp_conf_make(p)) == a,
       "merge with an empty add: the base itself");
    amt_ocsp_material(ma, a);
    amt_ocsp_material(mb, m);
    ok(memcmp(ma, mb, sizeof(ma)) != 0, "material: timeout 10 vs 3 differ");
    ok(!amt_ocsp_same(a, m), "same: 10 vs 3 differ");
    b = amt_ocsp_conf_make(p);
    b->mode = AMT_OCSP_LEAF;
    ok(amt_ocsp_same(a, b), "same: equal settings, other objects");
    ok(amt_ocsp_set_responder(b, p, "http://ocsp.example/", &why)
       == APR_SUCCESS && !amt_ocsp_same(a, b), "same: a default responder differs");
}

static void test_url(apr_pool_t *p)
{
    amt_url_t u;
    const char *why;
    static const char *bad[] = {
        "https://ocsp.example/", "ftp://x/", "http://", "http:///x",
        "http://user@host/", "http://host:0/", "http://host:65536/",
        "http://host:12a/", "http://host/a b", "http://host/#frag",
        "http://[zz]/", "http://host/\r\nX: y", "ocsp.example", NULL
    };
    int i;

    ok(amt_url_parse(&u, p, "http://ocsp.example.com", &why) == APR_SUCCESS
       && strcmp(u.host, "ocsp.example.com") == 0 && u.port == 80
       && strcmp(u.path, "/") == 0
       && strcmp(u.hostport, "ocsp.example.com:80") == 0, "url: host only");
    ok(amt_url_parse(&u, p, "HTTP://127.0.0.1:8888/a/b?c=d", &why)
       == APR_SUCCESS && u.port == 8888 && strcmp(u.path, "/a/b?c=d") == 0,
       "url: port, path and query");
    ok(amt_url_parse(&u, p, "http://[::1]:9/", &why) == APR_SUCCESS
       && strcmp(u.host, "::1") == 0 && strcmp(u.hostport, "[::1]:9") == 0,
       "url: IPv6");
    ok(amt_url_parse(&u, p, "http://h?x", &why) == APR_SUCCESS
       && strcmp(u.path, "/?x") == 0, "url: query without path");
    for (i = 0; bad[i]; i++) {
        ok(amt_url_parse(&u, p, bad[i], &why) == AMT_EBADVALUE && why,
           "url refused: %s", tap_escape(bad[i]));
    }
}

static amt_http_e parse(const char *s, int *status, apr_size_t *blen,
                        const unsigned char **body)
{
    const char *why;

    return amt_http_parse_response((const unsigned char *)s, strlen(s),
                                   status, body, blen, &why);
}

static void test_http_parse(void)
{
    const unsigned char *body;
    apr_size_t blen;
    int st;

    ok(parse("HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
             "Content-Length: 3\r\n\r\nabcdef", &st, &blen, &body)
       == AMT_HTTP_OK && st == 200 && blen == 3
       && memcmp(body, "abc", 3) == 0, "http: body cut to Content-Length");
    ok(parse("HTTP/1.1 200 OK\n\nxyz", &st, &blen, &body) == AMT_HTTP_OK
       && blen == 3, "http: bare LF and no Content-Length: body to the end");
    ok(parse("HTTP/1.0 200\r\n\r\n", &st, &blen, &body) == AMT_HTTP_OK
       && blen == 0, "http: no reason phrase, empty body");
    ok(parse("HTTP/1.0 404 Not Found\r\n\r\n", &st, &blen, &body)
       == AMT_HTTP_STATUS && st == 404, "http: 404 is a status failure");
    ok(parse("HTTP/1.0 302 Found\r\nLocation: http://x/\r\n\r\n", &st, &blen,
             &body) == AMT_HTTP_STATUS, "http: a redirect is not followed");
    ok(parse("HTTP/2 200 OK\r\n\r\n", &st, &blen, &body) == AMT_HTTP_MALFORMED,
       "http: bad version");
    ok(parse("HTTP/1.0 20 OK\r\n\r\n", &st, &blen, &body) == AMT_HTTP_MALFORMED,
       "http: two-digit status");
    ok(parse("HTTP/1.0 200 OK\r\nX: y\r\n", &st, &blen, &body)
       == AMT_HTTP_MALFORMED, "http: header block without its end");
    ok(parse("HTTP/1.0 200 OK\r\nX: a\rb\r\n\r\n", &st, &blen, &body)
       == AMT_HTTP_MALFORMED, "http: bare CR");
    ok(parse("HTTP/1.0 200 OK\r\n folded\r\n\r\n", &st, &blen, &body)
       == AMT_HTTP_MALFORMED, "http: obsolete folding");
    ok(parse("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nabc", &st, &blen,
             &body) == AMT_HTTP_MALFORMED, "http: body shorter than Content-Length");
    ok(parse("HTTP/1.0 200 OK\r\nContent-Length: 1x\r\n\r\nabc", &st, &blen,
             &body) == AMT_HTTP_MALFORMED, "http: bad Content-Length");
    ok(parse("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
             "\r\nabc", &st, &blen, &body) == AMT_HTTP_MALFORMED,
       "http: two different Content-Lengths");
    ok(parse("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc",
             &st, &blen, &body) == AMT_HTTP_MALFORMED,
       "http: Transfer-Encoding refused");
    {
        char big[AMT_HTTP_MAX_HEADERS * 8 + 64];
        int i;
        strcpy(big, "HTTP/1.0 200 OK\r\n");
        for (i = 0; i <= AMT_HTTP_MAX_HEADERS; i++) strcat(big, "A: b\r\n");
        strcat(big, "\r\n");
        ok(parse(big, &st, &blen, &body) == AMT_HTTP_MALFORMED,
           "http: too many header lines");
    }
}

static void test_check(apr_pool_t *p, X509_STORE *store)
{
    amt_ocsp_conf_t *c = amt_ocsp_conf_make(p);
    amt_ocsp_req_t *req, *req2;
    amt_ocsp_answer_t ans;
    answer_spec_t a;
    unsigned char *der;
    apr_size_t len;
    const char *why;
    time_t now = time(NULL);

    c->mode = AMT_OCSP_ON;
    ok(amt_ocsp_request(&req, p, c, leaf->x509, inter->x509) == APR_SUCCESS
       && req->der_len > 0, "request built");
    ok(OCSP_request_onereq_count(req->req) == 1, "one CertID in the request");
    ok(amt_ocsp_request(&req2, p, c, leaf->x509, inter->x509) == APR_SUCCESS
       && memcmp(req->key, req2->key, AMT_OCSP_KEY_LEN) == 0,
       "the cache key is the CertID's (same for two requests, nonces differ)");
    ok(req->der_len != req2->der_len
       || memcmp(req->der, req2->der, req->der_len) != 0,
       "two requests carry different nonces");

    memset(&a, 0, sizeof(a));
    a.status = V_OCSP_CERTSTATUS_GOOD;
    a.this_off = -60;
    a.next_off = 3600;
    a.nonce = 1;
    a.signer = inter;
    a.resp_status = OCSP_RESPONSE_STATUS_SUCCESSFUL;
    der = make_answer(p, req, &a, &len);
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why),
           AMT_OCSP_OK, "good answer signed by the issuer");
    ok(ans.status == V_OCSP_CERTSTATUS_GOOD, "status good");
    ok(ans.expires >= now + 3590 && ans.expires <= now + 3610,
       "expires at nextUpdate");
    c->max_age = 600;
    amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why);
    ok(ans.expires >= now + 530 && ans.expires <= now + 550,
       "expiry bounded by thisUpdate + max age");
    c->max_age = 30;
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why),
           AMT_OCSP_TOO_OLD, "thisUpdate older than max age: too old");
    c->max_age = AMT_OCSP_AGE_UNSET;
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now + 7200, &why),
           AMT_OCSP_TOO_OLD, "nextUpdate past (beyond the skew): too old");
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now + 3800, &why),
           AMT_OCSP_OK, "nextUpdate past but within the skew: fine");
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now - 600, &why),
           AMT_OCSP_TOO_OLD, "thisUpdate in the future beyond the skew");
    is_int(amt_ocsp_check(&ans, p, req2, der, len, store, c, now, &why),
           AMT_OCSP_BAD_NONCE, "an answer to another request: nonce mismatch");
    c->nonce = 0;
    is_int(amt_ocsp_check(&ans, p, req2, der, len, store, c, now, &why),
           AMT_OCSP_OK, "the same without the nonce check");
    c->nonce = AMT_OCSP_UNSET;

    a.nonce = 0;
    der = make_answer(p, req, &a, &len);
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why),
           AMT_OCSP_BAD_NONCE, "no nonce in the answer while one was sent");
    a.nonce = 1;

    a.status = V_OCSP_CERTSTATUS_REVOKED;
    der = make_answer(p, req, &a, &len);
    ok(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why)
       == AMT_OCSP_OK && ans.status == V_OCSP_CERTSTATUS_REVOKED
       && ans.reason == OCSP_REVOKED_STATUS_KEYCOMPROMISE,
       "revoked, with its reason");
    a.status = V_OCSP_CERTSTATUS_UNKNOWN;
    der = make_answer(p, req, &a, &len);
    ok(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why)
       == AMT_OCSP_OK && ans.status == V_OCSP_CERTSTATUS_UNKNOWN,
       "unknown");
    a.status = V_OCSP_CERTSTATUS_GOOD;

    a.signer = other;
    der = make_answer(p, req, &a, &len);
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why),
           AMT_OCSP_BAD_SIGNATURE, "signed by an unrelated key: bad signature");
    {
        const char *dir = pki_tmpdir(p);
        const char *f = pki_write_file(p, dir, "resp.pem",
                                       pki_pem(p, other->x509));
        amt_ocsp_conf_t *t = amt_ocsp_conf_make(p);
        amt_ocsp_req_t *rt;
        t->mode = AMT_OCSP_ON;
        ok(amt_ocsp_load_certs(t, p, f, &why) == APR_SUCCESS,
           "responder certificate file loads");
        ok(amt_ocsp_request(&rt, p, t, leaf->x509, inter->x509) == APR_SUCCESS
           && memcmp(rt->key, req->key, AMT_OCSP_KEY_LEN) != 0,
           "the responder file is part of the cache key");
        der = make_answer(p, rt, &a, &len);
        is_int(amt_ocsp_check(&ans, p, rt, der, len, store, t, now, &why),
               AMT_OCSP_OK, "the same key trusted by the responder file");
        f = pki_write_file(p, dir, "empty.pem", "nothing\n");
        ok(amt_ocsp_load_certs(amt_ocsp_conf_make(p), p, f, &why) != APR_SUCCESS,
           "a responder file without certificates is refused");
    }
    a.signer = root;
    der = make_answer(p, req, &a, &len);
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why),
           AMT_OCSP_BAD_SIGNATURE,
           "signed by the root for an intermediate's certificate (not "
           "delegated): bad signature");
    a.signer = inter;

    a.about = leaf2;
    der = make_answer(p, req, &a, &len);
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why),
           AMT_OCSP_MALFORMED, "an answer about another certificate of "
           "the same issuer: no answer for this one");
    a.about = NULL;

    a.resp_status = OCSP_RESPONSE_STATUS_TRYLATER;
    der = make_answer(p, req, &a, &len);
    is_int(amt_ocsp_check(&ans, p, req, der, len, store, c, now, &why),
           AMT_OCSP_UNSUCCESSFUL, "tryLater");
    a.resp_status = OCSP_RESPONSE_STATUS_SUCCESSFUL;

    der = make_answer(p, req, &a, &len);
    {
        unsigned char *longer = apr_palloc(p, len + 1);
        memcpy(longer, der, len);
        longer[len] = 0;
        is_int(amt_ocsp_check(&ans, p, req, longer, len + 1, store, c, now,
                              &why), AMT_OCSP_MALFORMED, "trailing byte");
        is_int(amt_ocsp_check(&ans, p, req, der, len - 1, store, c, now,
                              &why), AMT_OCSP_MALFORMED, "truncated");
        is_int(amt_ocsp_check(&ans, p, req, (const unsigned char *)"junk", 4,
                              store, c, now, &why), AMT_OCSP_MALFORMED,
               "junk");
        is_int(amt_ocsp_check(&ans, p, req, der, 0, store, c, now, &why),
               AMT_OCSP_MALFORMED, "empty");
    }

    /* the cache record */
    {
        unsigned char rec[AMT_OCSP_ANSWER_LEN];
        amt_ocsp_answer_t in = { V_OCSP_CERTSTATUS_REVOKED, 1, 1900000000,
                                 1800000000 };
        amt_ocsp_answer_t out;
        amt_ocsp_answer_encode(rec, req->key, &in);
        ok(amt_ocsp_answer_decode(&out, req->key, rec, sizeof(rec))
           == APR_SUCCESS && out.status == in.status
           && out.reason == 1 && out.expires == in.expires
           && out.this_update == in.this_update,
           "answer record round trip");
        {
            amt_ocsp_conf_t *mc = amt_ocsp_conf_make(p);
            ok(amt_ocsp_answer_usable(&out, mc, 1800000100),
               "a cached answer is usable without a max age");
            mc->max_age = 60;
            ok(!amt_ocsp_answer_usable(&out, mc, 1800000100),
               "a cached answer older than this section's max age is not");
            ok(!amt_ocsp_answer_usable(&out, NULL, 1900000000),
               "nor one at its expiry");
        }
        ok(amt_ocsp_answer_decode(&out, req2->key, rec, sizeof(rec))
           == APR_SUCCESS, "(same CertID: same key)");
        rec[5] ^= 1;
        ok(amt_ocsp_answer_decode(&out, req->key, rec, sizeof(rec))
           != APR_SUCCESS, "a record for another key is refused");
        rec[5] ^= 1;
        ok(amt_ocsp_answer_decode(&out, req->key, rec, sizeof(rec) - 1)
           != APR_SUCCESS, "a short record is refused");
        in.status = V_OCSP_CERTSTATUS_UNKNOWN;
        amt_ocsp_answer_encode(rec, req->key, &in);
        ok(amt_ocsp_answer_decode(&out, req->key, rec, sizeof(rec))
           != APR_SUCCESS, "an unknown status is never a record");
    }
    {
        amt_ocsp_conf_t *d = amt_ocsp_conf_make(p);
        ok(amt_ocsp_responder_for(p, d, leaf->x509) == NULL,
           "no AIA, no default: no responder");
        amt_ocsp_set_responder(d, p, "http://127.0.0.1:1/", &why);
        ok(amt_ocsp_responder_for(p, d, leaf->x509) == d->responder,
           "no AIA: the default responder");
    }
}

/* a server thread: accepts one connection, reads the request head, answers
 * with `reply` */
typedef struct {
    apr_socket_t *listener;
    const char *reply;
    char got[4096];
} server_t;

static void *APR_THREAD_FUNC serve(apr_thread_t *t, void *data)
{
    server_t *s = data;
    apr_socket_t *c;
    apr_pool_t *p;
    apr_size_t n, have = 0;

    apr_pool_create(&p, NULL);
    if (apr_socket_accept(&c, s->listener, p) == APR_SUCCESS) {
        apr_socket_timeout_set(c, apr_time_from_sec(5));
        while (have < sizeof(s->got) - 1 && !strstr(s->got, "\r\n\r\n")) {
            n = sizeof(s->got) - 1 - have;
            if (apr_socket_recv(c, s->got + have, &n) != APR_SUCCESS) break;
            have += n;
            s->got[have] = 0;
        }
        n = strlen(s->reply);
        apr_socket_send(c, s->reply, &n);
        apr_socket_close(c);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static apr_socket_t *listen_any(apr_pool_t *p, apr_port_t *port)
{
    apr_sockaddr_t *sa;
    apr_socket_t *s;

    if (apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0, p)
        || apr_socket_create(&s, APR_INET, SOCK_STREAM, APR_PROTO_TCP, p)
        || apr_socket_bind(s, sa) || apr_socket_listen(s, 8)
        || apr_socket_addr_get(&sa, APR_LOCAL, s)) {
        bail_out("cannot listen on 127.0.0.1");
    }
    *port = sa->port;
    return s;
}

static void test_policy(apr_pool_t *p)
{
    amt_policy_t a, b;
    amt_ocsp_conf_t *c = amt_ocsp_conf_make(p);
    unsigned char ma[AMT_POLICY_MATERIAL_LEN], mb[AMT_POLICY_MATERIAL_LEN];

    memset(&a, 0, sizeof(a));
    a.depth = 5;
    b = a;
    c->mode = AMT_OCSP_LEAF;
    b.ocsp = c;
    amt_policy_material(ma, &a);
    amt_policy_material(mb, &b);
    ok(memcmp(ma, mb, sizeof(ma)) != 0 && !amt_policy_same(&a, &b),
       "policy: OCSP on and off differ (no shared cached result)");
    c->mode = AMT_OCSP_OFF;
    amt_policy_material(mb, &b);
    ok(memcmp(ma, mb, sizeof(ma)) == 0 && amt_policy_same(&a, &b),
       "policy: OCSP off equals no OCSP settings");
}

static void test_post(apr_pool_t *p)
{
    server_t s;
    apr_thread_t *t;
    apr_status_t trv;
    amt_url_t u;
    apr_port_t port;
    const unsigned char *resp;
    apr_size_t rlen;
    int status;
    const char *why;
    amt_http_e e;
    apr_time_t t0;

    memset(&s, 0, sizeof(s));
    s.listener = listen_any(p, &port);
    s.reply = "HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
              "Content-Length: 5\r\n\r\nhello";
    apr_thread_create(&t, NULL, serve, &s, p);
    amt_url_parse(&u, p, apr_psprintf(p, "http://127.0.0.1:%d/ocsp", port),
                  &why);
    e = amt_http_post(p, &u, "application/ocsp-request",
                      (const unsigned char *)"REQ", 3, apr_time_from_sec(5),
                      &resp, &rlen, &status, &why);
    apr_thread_join(&trv, t);
    ok(e == AMT_HTTP_OK && status == 200 && rlen == 5
       && memcmp(resp, "hello", 5) == 0, "post: the body comes back");
    contains_str(s.got, "POST /ocsp HTTP/1.0\r\n", "post: HTTP/1.0 request line");
    contains_str(s.got, "Content-Type: application/ocsp-request\r\n",
                 "post: content type");
    contains_str(s.got, apr_psprintf(p, "Host: 127.0.0.1:%d\r\n", port),
                 "post: Host");
    contains_str(s.got, "Content-Length: 3\r\n", "post: Content-Length");

    /* a listener that never accepts: connect succeeds, no answer */
    t0 = apr_time_now();
    e = amt_http_post(p, &u, "application/ocsp-request",
                      (const unsigned char *)"REQ", 3,
                      apr_time_from_msec(300), &resp, &rlen, &status, &why);
    ok(e == AMT_HTTP_TIMEOUT, "post: silent peer: timeout (%s)",
       why ? why : "");
    ok(apr_time_now() - t0 < apr_time_from_sec(3), "post: the timeout held");
    apr_socket_close(s.listener);
    e = amt_http_post(p, &u, "application/ocsp-request",
                      (const unsigned char *)"REQ", 3, apr_time_from_sec(2),
                      &resp, &rlen, &status, &why);
    ok(e == AMT_HTTP_UNREACHABLE, "post: closed port: unreachable");
}

int main(void)
{
    apr_pool_t *p;
    X509_STORE *store;

    apr_initialize();
    apr_pool_create(&p, NULL);
    amt_verify_init();
    root = pki_root(p, "OCSP Unit Root");
    inter = pki_intermediate(p, "OCSP Unit Intermediate", root);
    leaf = pki_leaf(p, "leaf", inter);
    leaf2 = pki_leaf(p, "leaf2", inter);
    other = pki_root(p, "Unrelated Responder");
    store = X509_STORE_new();
    X509_STORE_add_cert(store, root->x509);

    test_settings(p);
    test_url(p);
    test_http_parse();
    test_check(p, store);
    test_policy(p);
    test_post(p);

    X509_STORE_free(store);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
