/*
 * amt_vars.c - SSL_CLIENT_* variables with mod_ssl 2.4.71's names and formats.
 *
 * Formatting is left to the same OpenSSL calls, with the same flags, that
 * mod_ssl uses (X509_NAME_print_ex, ASN1_STRING_print_ex, ASN1_TIME_print,
 * i2a_ASN1_INTEGER, PEM_write_bio_X509, ...), so the bytes match.  Two
 * tables drive both the lookup of one name and the export of all names:
 * fixed_vars[] (one function per variable) and dn_attrs[] (per-attribute
 * DN variables).
 */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "amt_compat.h"
#include "amt_digest.h"
#include "amt_vars.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* Reads everything written to a memory BIO, frees the BIO. */
static const char *bio_to_string(apr_pool_t *p, BIO *bio)
{
    char *data;
    long len;
    const char *result = NULL;

    if (bio == NULL) return NULL;
    len = BIO_get_mem_data(bio, &data);
    if (len >= 0) result = apr_pstrmemdup(p, data, (apr_size_t)len);
    BIO_free(bio);
    return result;
}

/* An ASN.1 string as mod_ssl prints a DN attribute or a SAN value:
 * control characters escaped, converted to UTF-8 unless raw. */
static const char *asn1_string_text(apr_pool_t *p, const ASN1_STRING *s,
                                    int raw)
{
    BIO *bio = BIO_new(BIO_s_mem());
    unsigned long flags = ASN1_STRFLGS_ESC_CTRL;

    if (bio == NULL) return NULL;
    if (!raw) flags |= ASN1_STRFLGS_UTF8_CONVERT;
    ASN1_STRING_print_ex(bio, s, flags);
    return bio_to_string(p, bio);
}

static const char *dn_string(apr_pool_t *p, const X509_NAME *name,
                             unsigned long flags)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (bio == NULL) return NULL;
    X509_NAME_print_ex(bio, name, 0, flags);
    return bio_to_string(p, bio);
}

static const char *dn_oneline(apr_pool_t *p, const X509_NAME *name,
                              int legacy)
{
    if (legacy) {
        char *cp = X509_NAME_oneline(name, NULL, 0);
        const char *r = cp ? apr_pstrdup(p, cp) : NULL;
        OPENSSL_free(cp);
        return r;
    }
    return dn_string(p, name, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
}

static const char *cert_pem(apr_pool_t *p, X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (bio == NULL) return NULL;
    if (!PEM_write_bio_X509(bio, x)) {
        BIO_free(bio);
        return NULL;
    }
    return bio_to_string(p, bio);
}

static const char *asn1_time_text(apr_pool_t *p, const ASN1_TIME *t)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (bio == NULL) return NULL;
    ASN1_TIME_print(bio, t);
    return bio_to_string(p, bio);
}

static const char *algorithm_name(apr_pool_t *p, const ASN1_OBJECT *obj)
{
    int nid = obj ? OBJ_obj2nid(obj) : NID_undef;

    return apr_pstrdup(p, nid == NID_undef ? "UNKNOWN" : OBJ_nid2ln(nid));
}

/* ------------------------------------------------------------------ */
/* fixed variables                                                     */

typedef const char *(*var_fn)(apr_pool_t *p, const amt_client_cert_t *client,
                              int flags);

static const char *v_version(apr_pool_t *p, const amt_client_cert_t *client,
                             int flags)
{
    (void)flags;
    return apr_psprintf(p, "%ld", X509_get_version(client->chain->leaf) + 1);
}

static const char *v_serial(apr_pool_t *p, const amt_client_cert_t *client,
                            int flags)
{
    BIO *bio = BIO_new(BIO_s_mem());

    (void)flags;
    if (bio == NULL) return NULL;
    i2a_ASN1_INTEGER(bio, X509_get0_serialNumber(client->chain->leaf));
    return bio_to_string(p, bio);
}

static const char *v_start(apr_pool_t *p, const amt_client_cert_t *client,
                           int flags)
{
    (void)flags;
    return asn1_time_text(p, X509_get0_notBefore(client->chain->leaf));
}

static const char *v_end(apr_pool_t *p, const amt_client_cert_t *client,
                         int flags)
{
    (void)flags;
    return asn1_time_text(p, X509_get0_notAfter(client->chain->leaf));
}

static const char *v_remain(apr_pool_t *p, const amt_client_cert_t *client,
                            int flags)
{
    time_t not_after;

    (void)flags;
    if (!amt_asn1_to_time(X509_get0_notAfter(client->chain->leaf),
                          &not_after)) {
        return NULL;
    }
    return amt_var_remain(p, not_after, time(NULL));
}

static const char *v_s_dn(apr_pool_t *p, const amt_client_cert_t *client,
                          int flags)
{
    return dn_oneline(p, X509_get_subject_name(client->chain->leaf),
                      flags & AMT_OPT_LEGACY_DN_FORMAT);
}

static const char *v_i_dn(apr_pool_t *p, const amt_client_cert_t *client,
                          int flags)
{
    return dn_oneline(p, X509_get_issuer_name(client->chain->leaf),
                      flags & AMT_OPT_LEGACY_DN_FORMAT);
}

static const char *v_a_sig(apr_pool_t *p, const amt_client_cert_t *client,
                           int flags)
{
    const ASN1_OBJECT *obj = NULL;

    (void)flags;
    X509_ALGOR_get0(&obj, NULL, NULL,
                    X509_get0_tbs_sigalg(client->chain->leaf));
    return algorithm_name(p, obj);
}

static const char *v_a_key(apr_pool_t *p, const amt_client_cert_t *client,
                           int flags)
{
    ASN1_OBJECT *obj = NULL;

    (void)flags;
    X509_PUBKEY_get0_param(&obj, NULL, NULL, NULL,
                           X509_get_X509_PUBKEY(client->chain->leaf));
    return algorithm_name(p, obj);
}

static const char *v_cea(apr_pool_t *p, const amt_client_cert_t *client,
                         int flags)
{
    X509 *x = client->chain->leaf;
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *dec = bn ? BN_bn2dec(bn) : NULL;
    const char *issuer = dn_string(p, X509_get_issuer_name(x),
                                   XN_FLAG_RFC2253);
    const char *result = NULL;

    (void)flags;
    if (dec && issuer) {
        result = apr_pstrcat(p, "{ serialNumber ", dec,
                             ", issuer rdnSequence:\"", issuer, "\" }", NULL);
    }
    OPENSSL_free(dec);
    BN_free(bn);
    return result;
}

static const char *v_cert(apr_pool_t *p, const amt_client_cert_t *client,
                          int flags)
{
    (void)flags;
    return cert_pem(p, client->chain->leaf);
}

static const char *v_sha256(apr_pool_t *p, const amt_client_cert_t *client,
                            int flags)
{
    (void)flags;
    return amt_cert_sha256_hex(p, client->chain->leaf);
}

#define EXPORT_NO   0
#define EXPORT_STD  1

/* The one table of fixed variables: name, how it is computed, whether
 * StdEnvVars exports it, and its kind (amt_var_kind_e), which tells the
 * result cache how to keep it (amt_entry.c). */
static const struct fixed_var {
    const char *name;       /* after "SSL_CLIENT_" */
    var_fn fn;
    int export;             /* exported by StdEnvVars */
    amt_var_kind_e kind;
} fixed_vars[] = {
    { "M_VERSION",        v_version, EXPORT_STD, AMT_VAR_PLAIN     },
    { "M_SERIAL",         v_serial,  EXPORT_STD, AMT_VAR_PLAIN     },
    { "V_START",          v_start,   EXPORT_STD, AMT_VAR_PLAIN     },
    { "V_END",            v_end,     EXPORT_STD, AMT_VAR_PLAIN     },
    { "V_REMAIN",         v_remain,  EXPORT_STD, AMT_VAR_CLOCK     },
    { "S_DN",             v_s_dn,    EXPORT_STD, AMT_VAR_DN_FORMAT },
    { "I_DN",             v_i_dn,    EXPORT_STD, AMT_VAR_DN_FORMAT },
    { "A_KEY",            v_a_key,   EXPORT_STD, AMT_VAR_PLAIN     },
    { "A_SIG",            v_a_sig,   EXPORT_STD, AMT_VAR_PLAIN     },
    { "CERT_RFC4523_CEA", v_cea,     EXPORT_STD, AMT_VAR_PLAIN     },
    { "CERT_SHA256",      v_sha256,  EXPORT_STD, AMT_VAR_PLAIN     },
    { "CERT",             v_cert,    EXPORT_NO,  AMT_VAR_CERT_DATA },
    { NULL, NULL, 0, AMT_VAR_PLAIN }
};

/* ------------------------------------------------------------------ */
/* DN attributes                                                       */

static const struct dn_attr {
    const char *name;       /* as in SSL_CLIENT_S_DN_<name> */
    int nid;
    int export;
} dn_attrs[] = {
    { "C",            NID_countryName,            EXPORT_STD },
    { "ST",           NID_stateOrProvinceName,    EXPORT_STD },
    { "SP",           NID_stateOrProvinceName,    EXPORT_NO  },
    { "L",            NID_localityName,           EXPORT_STD },
    { "O",            NID_organizationName,       EXPORT_STD },
    { "OU",           NID_organizationalUnitName, EXPORT_STD },
    { "CN",           NID_commonName,             EXPORT_STD },
    { "T",            NID_title,                  EXPORT_STD },
    { "I",            NID_initials,               EXPORT_STD },
    { "G",            NID_givenName,              EXPORT_STD },
    { "S",            NID_surname,                EXPORT_STD },
    { "D",            NID_description,            EXPORT_STD },
    { "UID",          NID_userId,                 EXPORT_STD },
    { "Email",        NID_pkcs9_emailAddress,     EXPORT_STD },
    { "SerialNumber", NID_serialNumber,           EXPORT_STD },
    { NULL, 0, 0 }
};

static int all_digits(const char *s)
{
    for (; *s; s++) {
        if (!apr_isdigit(*s)) return 0;
    }
    return 1;
}

/* Parses "<attr>[_<n>][_RAW]" of a DN variable, as mod_ssl does: 1 and
 * the attribute's index in dn_attrs[], the occurrence and whether _RAW, or
 * 0 when the name is none of them. */
static int dn_attr_parse(const char *var, int *attr, int *idx, int *raw)
{
    apr_size_t varlen = strlen(var), n;
    const char *us;
    int i;

    *idx = 0;
    *raw = 0;
    if (varlen > 4 && strcasecmp(var + varlen - 4, "_RAW") == 0) {
        varlen -= 4;
        *raw = 1;
    }
    n = varlen;
    us = memchr(var, '_', varlen);
    if (us != NULL) {       /* "_<digits>", possibly none, as mod_ssl */
        apr_size_t digits = varlen - (apr_size_t)(us + 1 - var), k;
        for (k = 0; k < digits; k++) {
            if (!apr_isdigit(us[1 + k])) return 0;
        }
        if (digits > 9) return 0;
        *idx = atoi(us + 1);
        n = (apr_size_t)(us - var);
    }
    for (i = 0; dn_attrs[i].name; i++) {
        if (strlen(dn_attrs[i].name) == n
            && strncmp(var, dn_attrs[i].name, n) == 0) {
            *attr = i;
            return 1;
        }
    }
    return 0;
}

/* the text of the idx-th entry of nid in a DN, or NULL */
static const char *dn_entry_text(apr_pool_t *p, const X509_NAME *dn, int nid,
                                 int idx, int raw)
{
    int j;

    for (j = 0; j < X509_NAME_entry_count(dn); j++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(dn, j);
        if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == nid && idx-- == 0) {
            return asn1_string_text(p, X509_NAME_ENTRY_get_data(e), raw);
        }
    }
    return NULL;
}

/* where amt_vars_each() sends each variable */
typedef struct {
    amt_var_fn *fn;
    void *baton;
} sink_t;

static void dn_attrs_export(const sink_t *out, apr_pool_t *p,
                            const X509_NAME *name, const char *prefix)
{
    int seen[sizeof(dn_attrs) / sizeof(dn_attrs[0])] = { 0 };
    int i, j;

    for (j = 0; j < X509_NAME_entry_count(name); j++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, j);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        for (i = 0; dn_attrs[i].name; i++) {
            const char *key;
            if (dn_attrs[i].nid != nid || dn_attrs[i].export != EXPORT_STD) {
                continue;
            }
            key = seen[i] ? apr_psprintf(p, "%s%s_%d", prefix,
                                         dn_attrs[i].name, seen[i])
                          : apr_pstrcat(p, prefix, dn_attrs[i].name, NULL);
            seen[i]++;
            out->fn(out->baton, key,
                    asn1_string_text(p, X509_NAME_ENTRY_get_data(e), 0),
                    AMT_VAR_PLAIN);
            break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* subjectAltName                                                      */

typedef enum { SAN_EMAIL, SAN_DNS, SAN_URI, SAN_MSUPN, SAN_DNSSRV } san_kind_e;

static const struct san_kind {
    san_kind_e kind;
    const char *name;       /* SSL_CLIENT_SAN_<name>_n */
    int export;
} san_kinds[] = {
    { SAN_EMAIL,  "Email",        EXPORT_STD },
    { SAN_DNS,    "DNS",          EXPORT_STD },
    { SAN_MSUPN,  "OTHER_msUPN",  EXPORT_STD },
    { SAN_URI,    "URI",          EXPORT_STD },
    { SAN_DNSSRV, "OTHER_dnsSRV", EXPORT_NO  },
    { 0, NULL, 0 }
};

/* The value of one GENERAL_NAME if it is of the kind, else NULL. */
static const char *san_value(apr_pool_t *p, const GENERAL_NAME *gn,
                             san_kind_e kind)
{
    switch (kind) {
    case SAN_EMAIL:
        return gn->type == GEN_EMAIL ? asn1_string_text(p, gn->d.ia5, 0) : NULL;
    case SAN_DNS:
        return gn->type == GEN_DNS ? asn1_string_text(p, gn->d.ia5, 0) : NULL;
    case SAN_URI:
        return gn->type == GEN_URI
               ? asn1_string_text(p, gn->d.uniformResourceIdentifier, 0) : NULL;
    case SAN_MSUPN:
    case SAN_DNSSRV: {
        const OTHERNAME *on;
        int want = kind == SAN_MSUPN ? NID_ms_upn : NID_SRVName;
        int vtype = kind == SAN_MSUPN ? V_ASN1_UTF8STRING : V_ASN1_IA5STRING;
        if (gn->type != GEN_OTHERNAME) return NULL;
        on = gn->d.otherName;
        if (OBJ_obj2nid(on->type_id) != want || on->value == NULL
            || on->value->type != vtype) {
            return NULL;
        }
        return asn1_string_text(p, on->value->value.asn1_string, 0);
    }
    }
    return NULL;
}

/* Calls fn for each SAN value of the kind; stops when fn returns non-zero. */
static void san_each(apr_pool_t *p, X509 *x, san_kind_e kind,
                     int (*fn)(void *baton, int n, const char *value),
                     void *baton)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
                                            NULL);
    int i, n = 0;

    if (names == NULL) return;
    for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const char *v = san_value(p, sk_GENERAL_NAME_value(names, i), kind);
        if (v != NULL && fn(baton, n++, v)) break;
    }
    GENERAL_NAMES_free(names);
}

typedef struct {
    int want;
    const char *found;
} san_pick_t;

static int san_pick(void *baton, int n, const char *value)
{
    san_pick_t *pick = baton;

    if (n == pick->want) {
        pick->found = value;
        return 1;
    }
    return 0;
}

typedef struct {
    const sink_t *out;
    apr_pool_t *p;
    const char *prefix;
} san_export_t;

static int san_put(void *baton, int n, const char *value)
{
    san_export_t *ex = baton;

    ex->out->fn(ex->out->baton, apr_psprintf(ex->p, "%s%d", ex->prefix, n),
                value, AMT_VAR_PLAIN);
    return 0;
}

/* "<kind>_<n>" after "SSL_CLIENT_SAN_": kind prefixes case-insensitive
 * except the otherName ids, 1 to 4 digits. */
/* Parses "<kind>_<n>" (after "SSL_CLIENT_SAN_"): 1 and the kind's index
 * in san_kinds[] and n, or 0 when the name is none of them. */
static int san_parse(const char *var, int *kind, int *n)
{
    int i;

    for (i = 0; san_kinds[i].name; i++) {
        const char *name = san_kinds[i].name;
        apr_size_t len = strlen(name);
        const char *num;
        if (strncasecmp(name, "OTHER_", 6) == 0) {
            if (strncasecmp(var, "OTHER_", 6) != 0
                || strncmp(var + 6, name + 6, len - 6) != 0) {
                continue;
            }
        }
        else if (strncasecmp(var, name, len) != 0) {
            continue;
        }
        if (var[len] != '_') continue;
        num = var + len + 1;
        if (strlen(num) < 1 || strlen(num) > 4 || !all_digits(num)) {
            return 0;
        }
        *kind = i;
        *n = atoi(num);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* public                                                              */

static int verified(const amt_client_cert_t *client)
{
    return client->chain != NULL && client->chain->leaf != NULL
        && (client->result.outcome == AMT_OUTCOME_SUCCESS
            || client->result.outcome == AMT_OUTCOME_GENEROUS);
}

/* what a variable name asks for, parsed once (amt_var_lookup and
 * amt_var_name_known read the same parse) */
typedef enum {
    VAR_UNKNOWN, VAR_VERIFY, VAR_FIXED, VAR_DN_ATTR, VAR_SAN, VAR_CHAIN
} var_what_e;

typedef struct {
    var_what_e what;
    int index;              /* fixed_vars[], dn_attrs[] or san_kinds[] */
    int issuer;             /* VAR_DN_ATTR: I_DN rather than S_DN */
    int n;                  /* occurrence, SAN or chain position */
    int raw;                /* VAR_DN_ATTR: _RAW */
} var_name_t;

static var_what_e var_parse(const char *name, var_name_t *v)
{
    const char *var;
    int i;

    memset(v, 0, sizeof(*v));
    if (name == NULL || strlen(name) <= 11 || strncasecmp(name, "SSL_", 4) != 0
        || strncasecmp(name + 4, "CLIENT_", 7) != 0) {
        return v->what = VAR_UNKNOWN;
    }
    var = name + 11;
    if (strcasecmp(var, "VERIFY") == 0) return v->what = VAR_VERIFY;
    /* mod_ssl wants the S/I of S_DN and I_DN in upper case */
    if ((var[0] == 's' || var[0] == 'i') && var[1] == '_') {
        return v->what = VAR_UNKNOWN;
    }
    for (i = 0; fixed_vars[i].name; i++) {
        if (strcasecmp(var, fixed_vars[i].name) == 0) {
            v->index = i;
            return v->what = VAR_FIXED;
        }
    }
    if ((var[0] == 'S' || var[0] == 'I') && strncasecmp(var + 1, "_DN_", 4) == 0
        && var[5] != '\0') {
        v->issuer = var[0] == 'I';
        return v->what = dn_attr_parse(var + 5, &v->index, &v->n, &v->raw)
                         ? VAR_DN_ATTR : VAR_UNKNOWN;
    }
    if (strncasecmp(var, "SAN_", 4) == 0) {
        return v->what = san_parse(var + 4, &v->index, &v->n)
                         ? VAR_SAN : VAR_UNKNOWN;
    }
    if (strncasecmp(var, "CERT_CHAIN_", 11) == 0 && var[11] != '\0'
        && all_digits(var + 11) && strlen(var + 11) <= 4) {
        v->n = atoi(var + 11);
        return v->what = VAR_CHAIN;
    }
    return v->what = VAR_UNKNOWN;
}

int amt_var_name_known(const char *name)
{
    var_name_t v;

    return var_parse(name, &v) != VAR_UNKNOWN;
}

const char *amt_var_lookup(apr_pool_t *p, const amt_client_cert_t *client,
                           const char *name, int flags)
{
    var_name_t v;
    X509 *leaf;

    switch (var_parse(name, &v)) {
    case VAR_UNKNOWN:
        return NULL;
    case VAR_VERIFY:
        return amt_result_string(p, &client->result);
    default:
        break;
    }
    if (!verified(client)) return NULL;
    leaf = client->chain->leaf;
    switch (v.what) {
    case VAR_FIXED:
        return fixed_vars[v.index].fn(p, client, flags);
    case VAR_DN_ATTR:
        return dn_entry_text(p, v.issuer ? X509_get_issuer_name(leaf)
                                         : X509_get_subject_name(leaf),
                             dn_attrs[v.index].nid, v.n, v.raw);
    case VAR_SAN: {
        san_pick_t pick;
        pick.want = v.n;
        pick.found = NULL;
        san_each(p, leaf, san_kinds[v.index].kind, san_pick, &pick);
        return pick.found;
    }
    case VAR_CHAIN:
        if (v.n < sk_X509_num(client->chain->sent)) {
            return cert_pem(p, sk_X509_value(client->chain->sent, v.n));
        }
        return NULL;
    default:
        return NULL;
    }
}

void amt_vars_each(apr_pool_t *p, const amt_client_cert_t *client, int flags,
                   amt_var_fn *fn, void *baton)
{
    sink_t out;
    int i;

    out.fn = fn;
    out.baton = baton;
    if (flags & AMT_OPT_STD_ENV_VARS) {
        fn(baton, "SSL_CLIENT_VERIFY", amt_result_string(p, &client->result),
           AMT_VAR_RESULT);
    }
    if (!verified(client)) {
        if (flags & AMT_OPT_EXPORT_CERT_DATA) {
            fn(baton, "SSL_CLIENT_CERT", "", AMT_VAR_CERT_DATA);
        }
        return;
    }
    if (flags & AMT_OPT_STD_ENV_VARS) {
        X509 *leaf = client->chain->leaf;
        for (i = 0; fixed_vars[i].name; i++) {
            const char *v;
            if (fixed_vars[i].export != EXPORT_STD) continue;
            v = fixed_vars[i].fn(p, client, flags);
            if (v != NULL && *v != '\0') {
                fn(baton, apr_pstrcat(p, "SSL_CLIENT_", fixed_vars[i].name,
                                      NULL), v, fixed_vars[i].kind);
            }
        }
        dn_attrs_export(&out, p, X509_get_subject_name(leaf),
                        "SSL_CLIENT_S_DN_");
        dn_attrs_export(&out, p, X509_get_issuer_name(leaf),
                        "SSL_CLIENT_I_DN_");
        for (i = 0; san_kinds[i].name; i++) {
            san_export_t ex;
            if (san_kinds[i].export != EXPORT_STD) continue;
            ex.out = &out;
            ex.p = p;
            ex.prefix = apr_pstrcat(p, "SSL_CLIENT_SAN_", san_kinds[i].name,
                                    "_", NULL);
            san_each(p, leaf, san_kinds[i].kind, san_put, &ex);
        }
    }
    if (flags & AMT_OPT_EXPORT_CERT_DATA) {
        const char *pem = cert_pem(p, client->chain->leaf);
        fn(baton, "SSL_CLIENT_CERT", pem ? pem : "", AMT_VAR_CERT_DATA);
        for (i = 0; i < sk_X509_num(client->chain->sent); i++) {
            pem = cert_pem(p, sk_X509_value(client->chain->sent, i));
            if (pem != NULL) {
                fn(baton, apr_psprintf(p, "SSL_CLIENT_CERT_CHAIN_%d", i), pem,
                   AMT_VAR_CERT_DATA);
            }
        }
    }
}

static void set_in_table(void *baton, const char *name, const char *value,
                         amt_var_kind_e kind)
{
    (void)kind;
    apr_table_setn(baton, name, value);
}

void amt_vars_export(apr_table_t *env, apr_pool_t *p,
                     const amt_client_cert_t *client, int flags)
{
    amt_vars_each(p, client, flags, set_in_table, env);
}

/* mod_ssl 2.4.71: the days part of ASN1_TIME_diff(now, notAfter), never
 * negative; so whole days left, rounded down, 0 when expired */
const char *amt_var_remain(apr_pool_t *p, time_t not_after, time_t now)
{
    apr_int64_t secs = (apr_int64_t)not_after - (apr_int64_t)now;

    return apr_psprintf(p, "%" APR_INT64_T_FMT,
                        secs > 0 ? secs / 86400 : (apr_int64_t)0);
}

const char *amt_cert_sha256_hex(apr_pool_t *p, X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;
    char *hex;

    if (!X509_digest(cert, amt_sha256(), md, &len)) return NULL;
    hex = apr_palloc(p, len * 2 + 1);
    for (i = 0; i < len; i++) {
        static const char digits[] = "0123456789abcdef";
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 0x0f];
    }
    hex[2 * len] = '\0';
    return hex;
}

const char *amt_cert_subject_cn(apr_pool_t *p, X509 *cert)
{
    return dn_entry_text(p, X509_get_subject_name(cert), NID_commonName, 0, 0);
}

const char *amt_cert_subject_for_log(apr_pool_t *p, X509 *cert,
                                     apr_size_t maxlen)
{
    const char *s = dn_string(p, X509_get_subject_name(cert), XN_FLAG_RFC2253);

    if (s == NULL) return "";
    if (strlen(s) > maxlen) {
        s = apr_pstrcat(p, apr_pstrmemdup(p, s, maxlen), "...", NULL);
    }
    return s;
}
