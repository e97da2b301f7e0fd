/*
 * amt_ocsp.c - OCSP settings, requests and the check of an answer, with
 * the rules of mod_ssl's ssl_engine_ocsp.c: responseStatus, basic response,
 * nonce, OCSP_basic_verify against the trust anchors (the responder
 * certificate file trusted as such, OCSP_TRUSTOTHER), the single response
 * for the CertID, then OCSP_check_validity with the skew and max age.
 */
#include <string.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "amt_chain.h"
#include "amt_digest.h"
#include "amt_error.h"
#include "amt_ocsp.h"

/* ------------------------------------------------------------------ */
/* settings                                                            */

amt_ocsp_conf_t *amt_ocsp_conf_make(apr_pool_t *p)
{
    amt_ocsp_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->mode = AMT_OCSP_UNSET;
    c->override = AMT_OCSP_UNSET;
    c->timeout = AMT_OCSP_UNSET;
    c->max_age = AMT_OCSP_AGE_UNSET;
    c->skew = AMT_OCSP_UNSET;
    c->nonce = AMT_OCSP_UNSET;
    return c;
}

static int sets_nothing(const amt_ocsp_conf_t *c)
{
    return c == NULL
        || (c->mode == AMT_OCSP_UNSET && c->responder == NULL
            && c->override == AMT_OCSP_UNSET && c->timeout == AMT_OCSP_UNSET
            && c->max_age == AMT_OCSP_AGE_UNSET && c->skew == AMT_OCSP_UNSET
            && c->nonce == AMT_OCSP_UNSET && c->certs == NULL);
}

const amt_ocsp_conf_t *amt_ocsp_conf_merge(apr_pool_t *p,
                                           const amt_ocsp_conf_t *base,
                                           const amt_ocsp_conf_t *add)
{
    amt_ocsp_conf_t *m;

    if (sets_nothing(add)) return base;
    if (sets_nothing(base)) return add;
    m = apr_pmemdup(p, base, sizeof(*m));
    if (add->mode != AMT_OCSP_UNSET) {
        m->mode = add->mode;
        m->no_ocsp_ok = add->no_ocsp_ok;
    }
    if (add->responder != NULL) {
        m->responder = add->responder;
        m->responder_url = add->responder_url;
        memcpy(m->responder_digest, add->responder_digest,
               AMT_OCSP_DIGEST_LEN);
    }
    if (add->override != AMT_OCSP_UNSET) m->override = add->override;
    if (add->timeout != AMT_OCSP_UNSET) m->timeout = add->timeout;
    if (add->max_age != AMT_OCSP_AGE_UNSET) m->max_age = add->max_age;
    if (add->skew != AMT_OCSP_UNSET) m->skew = add->skew;
    if (add->nonce != AMT_OCSP_UNSET) m->nonce = add->nonce;
    if (add->certs != NULL) {
        m->certs = add->certs;
        memcpy(m->certs_digest, add->certs_digest, AMT_OCSP_DIGEST_LEN);
    }
    return m;
}

amt_ocsp_mode_e amt_ocsp_mode(const amt_ocsp_conf_t *c)
{
    return c == NULL || c->mode == AMT_OCSP_UNSET ? AMT_OCSP_OFF
                                                  : (amt_ocsp_mode_e)c->mode;
}

int amt_ocsp_no_ocsp_ok(const amt_ocsp_conf_t *c)
{
    return c != NULL && c->mode != AMT_OCSP_UNSET && c->no_ocsp_ok;
}

int amt_ocsp_override(const amt_ocsp_conf_t *c)
{
    return c != NULL && c->override == 1;
}

int amt_ocsp_timeout(const amt_ocsp_conf_t *c)
{
    return c == NULL || c->timeout == AMT_OCSP_UNSET
           ? AMT_OCSP_DEFAULT_TIMEOUT : c->timeout;
}

long amt_ocsp_max_age(const amt_ocsp_conf_t *c)
{
    return c == NULL || c->max_age == AMT_OCSP_AGE_UNSET ? -1 : c->max_age;
}

long amt_ocsp_skew(const amt_ocsp_conf_t *c)
{
    return c == NULL || c->skew == AMT_OCSP_UNSET ? AMT_OCSP_DEFAULT_SKEW
                                                  : c->skew;
}

int amt_ocsp_nonce(const amt_ocsp_conf_t *c)
{
    return c == NULL || c->nonce != 0;
}

apr_status_t amt_ocsp_parse_mode(int *mode, int *no_ocsp_ok, apr_pool_t *p,
                                 const char *args, const char **why)
{
    char *copy = apr_pstrdup(p, args ? args : ""), *last = NULL, *w;
    int n = 0;

    *mode = AMT_OCSP_OFF;
    *no_ocsp_ok = 0;
    for (w = apr_strtok(copy, " \t", &last); w != NULL;
         w = apr_strtok(NULL, " \t", &last), n++) {
        if (n == 0) {
            if (strcasecmp(w, "off") == 0) *mode = AMT_OCSP_OFF;
            else if (strcasecmp(w, "on") == 0) *mode = AMT_OCSP_ON;
            else if (strcasecmp(w, "leaf") == 0) *mode = AMT_OCSP_LEAF;
            else {
                *why = apr_psprintf(p, "'%s' is not off, on or leaf", w);
                return AMT_EBADVALUE;
            }
        }
        else if (n == 1 && strcasecmp(w, "no_ocsp_for_cert_ok") == 0
                 && *mode != AMT_OCSP_OFF) {
            *no_ocsp_ok = 1;
        }
        else {
            *why = apr_psprintf(p, "unexpected '%s' (takes off, or on|leaf "
                                "[no_ocsp_for_cert_ok])", w);
            return AMT_EBADVALUE;
        }
    }
    if (n == 0) {
        *why = "takes off, on or leaf [no_ocsp_for_cert_ok]";
        return AMT_EBADVALUE;
    }
    return APR_SUCCESS;
}

static int sha256(unsigned char out[AMT_OCSP_DIGEST_LEN], const void *a,
                  apr_size_t alen, const void *b, apr_size_t blen,
                  const void *c, apr_size_t clen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok;

    if (ctx == NULL) return 0;
    ok = EVP_DigestInit_ex(ctx, amt_sha256(), NULL)
        && EVP_DigestUpdate(ctx, a, alen)
        && (blen == 0 || EVP_DigestUpdate(ctx, b, blen))
        && (clen == 0 || EVP_DigestUpdate(ctx, c, clen))
        && EVP_DigestFinal_ex(ctx, out, &n) && n == AMT_OCSP_DIGEST_LEN;
    EVP_MD_CTX_free(ctx);
    return ok;
}

apr_status_t amt_ocsp_set_responder(amt_ocsp_conf_t *c, apr_pool_t *p,
                                    const char *url, const char **why)
{
    apr_status_t rv = amt_url_parse(&c->responder_url, p, url, why);

    if (rv != APR_SUCCESS) return rv;
    if (!sha256(c->responder_digest, url, strlen(url), NULL, 0, NULL, 0)) {
        *why = "cannot hash the URL";
        return AMT_EOPENSSL;
    }
    c->responder = apr_pstrdup(p, url);
    return APR_SUCCESS;
}

static apr_status_t free_certs(void *data)
{
    sk_X509_pop_free((STACK_OF(X509) *)data, X509_free);
    return APR_SUCCESS;
}

apr_status_t amt_ocsp_load_certs(amt_ocsp_conf_t *c, apr_pool_t *p,
                                 const char *path, const char **why)
{
    STACK_OF(X509) *sk;
    EVP_MD_CTX *md;
    BIO *bio;
    X509 *x;
    unsigned int n = 0;
    int ok = 1;

    ERR_clear_error();
    if ((bio = BIO_new_file(path, "r")) == NULL) {
        *why = apr_psprintf(p, "cannot read %s", path);
        ERR_clear_error();
        return AMT_EBADVALUE;
    }
    if ((sk = sk_X509_new_null()) == NULL || (md = EVP_MD_CTX_new()) == NULL) {
        BIO_free(bio);
        sk_X509_free(sk);
        return AMT_EOPENSSL;
    }
    apr_pool_cleanup_register(p, sk, free_certs, apr_pool_cleanup_null);
    ok = EVP_DigestInit_ex(md, amt_sha256(), NULL);
    while (ok && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        ok = len > 0 && EVP_DigestUpdate(md, der, (size_t)len)
             && sk_X509_push(sk, x);
        OPENSSL_free(der);
        if (!ok) X509_free(x);
    }
    /* the end of the file is the only "error" expected */
    {
        unsigned long e = ERR_peek_last_error();
        if (ok && e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM
                              && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
            ok = 0;
        }
    }
    ERR_clear_error();
    BIO_free(bio);
    if (ok) ok = EVP_DigestFinal_ex(md, c->certs_digest, &n);
    EVP_MD_CTX_free(md);
    if (!ok) {
        *why = apr_psprintf(p, "%s: not a PEM file of certificates", path);
        return AMT_EBADVALUE;
    }
    if (sk_X509_num(sk) == 0) {
        *why = apr_psprintf(p, "%s holds no certificate", path);
        return AMT_EBADVALUE;
    }
    c->certs = sk;
    return APR_SUCCESS;
}

static void put32(unsigned char *s, long v)
{
    unsigned long u = (unsigned long)v;

    s[0] = (unsigned char)((u >> 24) & 0xff);
    s[1] = (unsigned char)((u >> 16) & 0xff);
    s[2] = (unsigned char)((u >> 8) & 0xff);
    s[3] = (unsigned char)(u & 0xff);
}

void amt_ocsp_material(unsigned char out[AMT_OCSP_MATERIAL_LEN],
                       const amt_ocsp_conf_t *c)
{
    memset(out, 0, AMT_OCSP_MATERIAL_LEN);
    if (amt_ocsp_mode(c) == AMT_OCSP_OFF) return;
    out[0] = 'o';
    out[1] = (unsigned char)amt_ocsp_mode(c);
    out[2] = (unsigned char)amt_ocsp_no_ocsp_ok(c);
    out[3] = (unsigned char)((amt_ocsp_override(c) ? 1 : 0)
                             | (amt_ocsp_nonce(c) ? 2 : 0)
                             | (c->responder ? 4 : 0) | (c->certs ? 8 : 0));
    put32(out + 4, amt_ocsp_timeout(c));
    put32(out + 8, amt_ocsp_max_age(c));
    put32(out + 12, amt_ocsp_skew(c));
    if (c->responder)
        memcpy(out + 16, c->responder_digest, AMT_OCSP_DIGEST_LEN);
    if (c->certs)
        memcpy(out + 16 + AMT_OCSP_DIGEST_LEN, c->certs_digest,
               AMT_OCSP_DIGEST_LEN);
}

int amt_ocsp_same(const amt_ocsp_conf_t *a, const amt_ocsp_conf_t *b)
{
    unsigned char ma[AMT_OCSP_MATERIAL_LEN], mb[AMT_OCSP_MATERIAL_LEN];

    if (a == b) return 1;
    if (amt_ocsp_mode(a) == AMT_OCSP_OFF && amt_ocsp_mode(b) == AMT_OCSP_OFF)
        return 1;
    amt_ocsp_material(ma, a);
    amt_ocsp_material(mb, b);
    return memcmp(ma, mb, sizeof(ma)) == 0
        && (amt_ocsp_mode(a) == AMT_OCSP_OFF || a->certs == b->certs);
}

/* ------------------------------------------------------------------ */
/* the request                                                         */

static const char *aia_ocsp_uri(apr_pool_t *p, X509 *cert)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access,
                                                  NULL, NULL);
    const char *uri = NULL;
    int i;

    for (i = 0; aia != NULL && uri == NULL
                && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == NID_ad_OCSP
            && ad->location->type == GEN_URI) {
            ASN1_IA5STRING *s = ad->location->d.uniformResourceIdentifier;
            uri = apr_pstrmemdup(p, (const char *)ASN1_STRING_get0_data(s),
                                 (apr_size_t)ASN1_STRING_length(s));
        }
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    ERR_clear_error();
    return uri;
}

const char *amt_ocsp_responder_for(apr_pool_t *p, const amt_ocsp_conf_t *c,
                                   X509 *cert)
{
    const char *uri;

    if (amt_ocsp_override(c)) return c->responder;
    uri = aia_ocsp_uri(p, cert);
    return uri != NULL ? uri : (c != NULL ? c->responder : NULL);
}

static apr_status_t free_request(void *data)
{
    OCSP_REQUEST_free(((amt_ocsp_req_t *)data)->req);
    return APR_SUCCESS;
}

apr_status_t amt_ocsp_request(amt_ocsp_req_t **out, apr_pool_t *p,
                              const amt_ocsp_conf_t *c, X509 *cert,
                              X509 *issuer)
{
    static const char tag[] = "mod_alb_mtls OCSP answer v1";
    amt_ocsp_req_t *r = apr_pcalloc(p, sizeof(*r));
    unsigned char *idder = NULL, *q;
    int idlen, len;

    ERR_clear_error();
    if ((r->req = OCSP_REQUEST_new()) == NULL) return AMT_EOPENSSL;
    apr_pool_cleanup_register(p, r, free_request, apr_pool_cleanup_null);
    if ((r->id = OCSP_cert_to_id(NULL, cert, issuer)) == NULL) {
        ERR_clear_error();
        return AMT_EOPENSSL;
    }
    if (!OCSP_request_add0_id(r->req, r->id)) {
        OCSP_CERTID_free(r->id);
        r->id = NULL;
        ERR_clear_error();
        return AMT_EOPENSSL;
    }
    if (amt_ocsp_nonce(c) && !OCSP_request_add1_nonce(r->req, NULL, -1)) {
        ERR_clear_error();
        return AMT_EOPENSSL;
    }
    if ((len = i2d_OCSP_REQUEST(r->req, NULL)) <= 0
        || (idlen = i2d_OCSP_CERTID(r->id, &idder)) <= 0) {
        ERR_clear_error();
        return AMT_EOPENSSL;
    }
    r->der = apr_palloc(p, (apr_size_t)len);
    q = r->der;
    r->der_len = (apr_size_t)i2d_OCSP_REQUEST(r->req, &q);
    if (!sha256(r->key, tag, sizeof(tag), idder, (apr_size_t)idlen,
                c != NULL && c->certs ? c->certs_digest : NULL,
                c != NULL && c->certs ? AMT_OCSP_DIGEST_LEN : 0)) {
        OPENSSL_free(idder);
        return AMT_EOPENSSL;
    }
    OPENSSL_free(idder);
    *out = r;
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* the answer                                                          */

const char *amt_ocsp_cause_name(amt_ocsp_cause_e cause)
{
    switch (cause) {
    case AMT_OCSP_OK:           return "ok";
    case AMT_OCSP_NO_RESPONDER: return "no responder";
    case AMT_OCSP_BAD_URL:      return "unusable responder URL";
    case AMT_OCSP_UNREACHABLE:  return "responder unreachable";
    case AMT_OCSP_TIMEOUT:      return "timeout";
    case AMT_OCSP_HTTP_STATUS:  return "HTTP status";
    case AMT_OCSP_MALFORMED:    return "malformed response";
    case AMT_OCSP_UNSUCCESSFUL: return "response not successful";
    case AMT_OCSP_BAD_NONCE:    return "nonce mismatch";
    case AMT_OCSP_BAD_SIGNATURE: return "bad signature";
    case AMT_OCSP_TOO_OLD:      return "response too old or not yet valid";
    default:                    return "internal error";
    }
}

amt_ocsp_cause_e amt_ocsp_cause_of_http(amt_http_e e)
{
    switch (e) {
    case AMT_HTTP_OK:          return AMT_OCSP_OK;
    case AMT_HTTP_UNREACHABLE: return AMT_OCSP_UNREACHABLE;
    case AMT_HTTP_TIMEOUT:     return AMT_OCSP_TIMEOUT;
    case AMT_HTTP_STATUS:      return AMT_OCSP_HTTP_STATUS;
    case AMT_HTTP_MALFORMED:   return AMT_OCSP_MALFORMED;
    default:                   return AMT_OCSP_INTERNAL;
    }
}

static const char *ossl_why(apr_pool_t *p, const char *what)
{
    const char *e = amt_openssl_errors(p);

    return *e ? apr_pstrcat(p, what, " (", e, ")", NULL) : what;
}

amt_ocsp_cause_e amt_ocsp_check(amt_ocsp_answer_t *ans, apr_pool_t *p,
                                const amt_ocsp_req_t *req,
                                const unsigned char *der, apr_size_t len,
                                X509_STORE *store, const amt_ocsp_conf_t *c,
                                time_t now, const char **why)
{
    const unsigned char *q = der;
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    ASN1_GENERALIZEDTIME *thisup = NULL, *nextup = NULL;
    amt_ocsp_cause_e cause = AMT_OCSP_OK;
    int st, status = -1, reason = -1;

    *why = NULL;
    memset(ans, 0, sizeof(*ans));
    ans->reason = -1;
    ERR_clear_error();
    if (len == 0 || len > AMT_HTTP_MAX_RESPONSE
        || (resp = d2i_OCSP_RESPONSE(NULL, &q, (long)len)) == NULL
        || q != der + len) {
        *why = resp == NULL ? ossl_why(p, "not a DER OCSP response")
                            : "trailing data after the OCSP response";
        cause = AMT_OCSP_MALFORMED;
        goto done;
    }
    st = OCSP_response_status(resp);
    if (st != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        *why = apr_psprintf(p, "responseStatus %d (%s)", st,
                            OCSP_response_status_str(st));
        cause = AMT_OCSP_UNSUCCESSFUL;
        goto done;
    }
    if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
        *why = ossl_why(p, "no basic OCSP response");
        cause = AMT_OCSP_MALFORMED;
        goto done;
    }
    /* mod_ssl: with a nonce sent, the answer must echo it */
    if (amt_ocsp_nonce(c) && OCSP_check_nonce(req->req, bs) != 1) {
        *why = "the response does not carry the request's nonce";
        cause = AMT_OCSP_BAD_NONCE;
        goto done;
    }
    if (OCSP_basic_verify(bs, c != NULL ? c->certs : NULL, store,
                          c != NULL && c->certs ? OCSP_TRUSTOTHER : 0) != 1) {
        *why = ossl_why(p, "OCSP_basic_verify failed");
        cause = AMT_OCSP_BAD_SIGNATURE;
        goto done;
    }
    if (OCSP_resp_find_status(bs, req->id, &status, &reason, NULL, &thisup,
                              &nextup) != 1) {
        *why = "no answer for this certificate in the response";
        cause = AMT_OCSP_MALFORMED;
        goto done;
    }
    if (status != V_OCSP_CERTSTATUS_GOOD
        && status != V_OCSP_CERTSTATUS_REVOKED) {
        status = V_OCSP_CERTSTATUS_UNKNOWN;
    }
    if (status != V_OCSP_CERTSTATUS_UNKNOWN) {
        time_t t_this = 0, t_next = 0;
        long skew = amt_ocsp_skew(c), max_age = amt_ocsp_max_age(c);

        /* OCSP_check_validity, but at `now` (it reads the clock itself) */
        if (thisup == NULL || !amt_asn1_to_time(thisup, &t_this)
            || (nextup != NULL && !amt_asn1_to_time(nextup, &t_next))) {
            *why = "bad thisUpdate or nextUpdate";
            cause = AMT_OCSP_MALFORMED;
            goto done;
        }
        if (t_this > now + skew) {
            *why = "thisUpdate is in the future";
            cause = AMT_OCSP_TOO_OLD;
            goto done;
        }
        if (max_age >= 0 && t_this < now - max_age) {
            *why = apr_psprintf(p, "thisUpdate older than the maximum age "
                                "of %ld s", max_age);
            cause = AMT_OCSP_TOO_OLD;
            goto done;
        }
        if (nextup != NULL && t_next < now - skew) {
            *why = "nextUpdate has passed";
            cause = AMT_OCSP_TOO_OLD;
            goto done;
        }
        if (nextup != NULL && t_next < t_this) {
            *why = "nextUpdate before thisUpdate";
            cause = AMT_OCSP_TOO_OLD;
            goto done;
        }
        ans->expires = nextup != NULL ? t_next : 0;
        if (max_age >= 0 && (ans->expires == 0
                             || t_this + max_age < ans->expires)) {
            ans->expires = t_this + max_age;
        }
        ans->this_update = t_this;
    }
    ans->status = status;
    ans->reason = status == V_OCSP_CERTSTATUS_REVOKED ? reason : -1;

done:
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    ERR_clear_error();
    return cause;
}

int amt_ocsp_answer_usable(const amt_ocsp_answer_t *ans,
                           const amt_ocsp_conf_t *c, time_t now)
{
    long max_age = amt_ocsp_max_age(c);

    if (ans->expires != 0 && ans->expires <= now) return 0;
    return max_age < 0 || ans->this_update >= now - max_age;
}

static const unsigned char answer_magic[4] = { 'A', 'M', 'T', 'O' };

static void put64(unsigned char *s, time_t t)
{
    apr_uint64_t e = (apr_uint64_t)(t < 0 ? 0 : t);
    int i;

    for (i = 0; i < 8; i++) s[i] = (unsigned char)(e >> (56 - 8 * i));
}

static apr_uint64_t get64(const unsigned char *s)
{
    apr_uint64_t e = 0;
    int i;

    for (i = 0; i < 8; i++) e = (e << 8) | s[i];
    return e;
}

void amt_ocsp_answer_encode(unsigned char out[AMT_OCSP_ANSWER_LEN],
                            const unsigned char key[AMT_OCSP_KEY_LEN],
                            const amt_ocsp_answer_t *ans)
{
    unsigned char *s = out + 4 + 1 + AMT_OCSP_KEY_LEN;

    memcpy(out, answer_magic, 4);
    out[4] = 1;
    memcpy(out + 5, key, AMT_OCSP_KEY_LEN);
    s[0] = (unsigned char)ans->status;
    s[1] = (unsigned char)(ans->reason < 0 ? 0xff : ans->reason);
    put64(s + 2, ans->expires);
    put64(s + 10, ans->this_update);
}

apr_status_t amt_ocsp_answer_decode(amt_ocsp_answer_t *ans,
                                    const unsigned char key[AMT_OCSP_KEY_LEN],
                                    const unsigned char *buf, apr_size_t len)
{
    const unsigned char *s = buf + 4 + 1 + AMT_OCSP_KEY_LEN;
    apr_uint64_t e, t;

    if (buf == NULL || len != AMT_OCSP_ANSWER_LEN
        || memcmp(buf, answer_magic, 4) != 0 || buf[4] != 1
        || memcmp(buf + 5, key, AMT_OCSP_KEY_LEN) != 0
        || (s[0] != V_OCSP_CERTSTATUS_GOOD
            && s[0] != V_OCSP_CERTSTATUS_REVOKED)
        || (s[1] > 10 && s[1] != 0xff)) {
        return AMT_EBADVALUE;
    }
    e = get64(s + 2);
    t = get64(s + 10);
    if (e == 0 || e > (apr_uint64_t)0x7fffffffffffLL || t == 0 || t > e) {
        return AMT_EBADVALUE;
    }
    ans->status = s[0];
    ans->reason = s[1] == 0xff ? -1 : s[1];
    ans->expires = (time_t)e;
    ans->this_update = (time_t)t;
    return APR_SUCCESS;
}
