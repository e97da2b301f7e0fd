/*
 * amt_chain.c - DER blobs -> X509 objects owned by a pool.
 */
#include <time.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "amt_chain.h"
#include "amt_intermediates.h"
#include "amt_decode.h"
#include "amt_error.h"

static apr_status_t chain_cleanup(void *data)
{
    amt_chain_t *chain = data;

    X509_free(chain->leaf);
    sk_X509_pop_free(chain->sent, X509_free);
    chain->leaf = NULL;
    chain->sent = NULL;
    return APR_SUCCESS;
}

static X509 *der_to_x509(const amt_der_t *der)
{
    const unsigned char *q = der->data;
    X509 *x;

    if (der->len > 0x7fffffffUL) return NULL;
    x = d2i_X509(NULL, &q, (long)der->len);
    if (x != NULL && q != der->data + der->len) {
        X509_free(x);           /* trailing bytes after the certificate */
        return NULL;
    }
    return x;
}

apr_status_t amt_chain_make(amt_chain_t **chain, apr_pool_t *p,
                            const apr_array_header_t *ders,
                            const char **reason)
{
    const amt_der_t *list = (const amt_der_t *)ders->elts;
    amt_chain_t *c;
    int i;

    if (ders->nelts < 1) return APR_EINVAL;
    c = apr_pcalloc(p, sizeof(*c));
    if ((c->sent = sk_X509_new_null()) == NULL) return AMT_EOPENSSL;
    apr_pool_cleanup_register(p, c, chain_cleanup, apr_pool_cleanup_null);

    ERR_clear_error();
    for (i = 0; i < ders->nelts; i++) {
        /* certificates after the leaf: parsed once per process when a
         * table of parsed intermediates is set (amt_intermediates.h) */
        amt_intermediates_t *cc = i > 0 ? amt_chain_intermediates() : NULL;
        X509 *x = cc ? amt_intermediates_get(cc, list[i].data, list[i].len)
                     : NULL;
        if (x == NULL) {
            x = der_to_x509(&list[i]);
            if (x != NULL && cc != NULL) {
                amt_intermediates_put(cc, list[i].data, list[i].len, x);
            }
        }
        if (x == NULL) {
            ERR_clear_error();
            *reason = "malformed header: invalid certificate";
            return AMT_EBADCERT;
        }
        if (i == 0) {
            c->leaf = x;
        }
        else if (!sk_X509_push(c->sent, x)) {
            X509_free(x);
            return AMT_EOPENSSL;
        }
    }
    *chain = c;
    return APR_SUCCESS;
}

apr_status_t amt_chain_from_header(amt_chain_t **chain, apr_pool_t *p,
                                   const char *value, const char **reason)
{
    apr_array_header_t *ders;
    apr_status_t rv;

    *chain = NULL;
    if ((rv = amt_header_decode(&ders, p, value, reason)) != APR_SUCCESS) {
        return rv;
    }
    if (ders->nelts == 0) return APR_SUCCESS;
    return amt_chain_make(chain, p, ders, reason);
}

int amt_asn1_to_time(const ASN1_TIME *t, time_t *out)
{
    struct tm tm;

    if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) return 0;
    *out = timegm(&tm);
    return 1;
}

static void lower_to(time_t *at, time_t now, const ASN1_TIME *t)
{
    time_t when;

    if (amt_asn1_to_time(t, &when) && when > now && (*at == 0 || when < *at)) {
        *at = when;
    }
}

void amt_cert_next_bound(time_t *at, time_t now, const X509 *x)
{
    if (x == NULL) return;
    lower_to(at, now, X509_get0_notBefore(x));
    lower_to(at, now, X509_get0_notAfter(x));
}
