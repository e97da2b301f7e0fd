/*
 * amt_entry.c - cached verification results and their serialised form.
 *
 * An entry holds the exported variables of a verified chain in both DN
 * formats (the only variables LegacyDNStringFormat changes are stored
 * twice), so that a cache hit publishes exactly what a miss publishes
 * without touching OpenSSL.  SSL_CLIENT_V_REMAIN depends on the clock and is
 * computed at use from the leaf's notAfter.
 *
 * Serialised layout (integers big-endian):
 *   "AMTE" version(1) key(32) expires(i64) outcome(1) failure(1)
 *   x509_error(i32)
 *   error_depth(i32) leaf_not_after(i64) has_certdata(1)
 *   reason subject_cn log_subject           (str: u32 len | bytes NUL,
 *   nvars(u32) { tag(1) name value }*        len 0xffffffff = NULL)
 * Version 1, written by earlier releases into shared caches, has no
 * failure byte; it is still read, the class then follows from x509_error
 * (0: malformed), as those releases counted it.
 */
#include <string.h>
#include <apr_strings.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "amt_digest.h"
#include "amt_entry.h"
#include "amt_error.h"

#define ENTRY_MAGIC     "AMTE"
#define ENTRY_VERSION   2
#define ENTRY_VERSION_NO_FAILURE 1
#define STR_NULL        0xffffffffu
#define MAX_X509_ERROR  4096
#define MAX_ERR_DEPTH   1024

static const char prefix[] = "SSL_CLIENT_";
#define PREFIX_LEN (sizeof(prefix) - 1)

apr_size_t amt_entry_key_prefix(unsigned char out[AMT_ENTRY_PREFIX_MAX],
                                const amt_policy_t *policy,
                                const char *header)
{
    static const unsigned char tag[] = { 'a', 'm', 't', 'k', 2 };
    apr_size_t i, n = 0, hlen = strlen(header);

    if (hlen > AMT_ENTRY_HEADER_MAX) hlen = AMT_ENTRY_HEADER_MAX;
    memcpy(out, tag, sizeof(tag));
    n += sizeof(tag);
    amt_policy_material(out + n, policy);
    n += AMT_POLICY_MATERIAL_LEN;
    for (i = 0; i < hlen; i++) {
        unsigned char c = (unsigned char)header[i];
        out[n++] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
    }
    out[n++] = 0;
    return n;
}

apr_status_t amt_entry_key(unsigned char out[AMT_ENTRY_KEY_LEN],
                           const amt_policy_t *policy,
                           const char *header, const char *value,
                           apr_size_t value_len)
{
    unsigned char material[AMT_ENTRY_PREFIX_MAX];
    apr_size_t mlen = amt_entry_key_prefix(material, policy, header);
    unsigned int outlen = 0;
    EVP_MD_CTX *md;
    int ok;

    if ((md = EVP_MD_CTX_new()) == NULL) return AMT_EOPENSSL;
    ok = EVP_DigestInit_ex(md, amt_sha256(), NULL)
        && EVP_DigestUpdate(md, material, mlen)
        && EVP_DigestUpdate(md, value, value_len)
        && EVP_DigestFinal_ex(md, out, &outlen);
    EVP_MD_CTX_free(md);
    return ok && outlen == AMT_ENTRY_KEY_LEN ? APR_SUCCESS : AMT_EOPENSSL;
}

time_t amt_entry_expiry(const amt_client_cert_t *client, time_t now,
                        int timeout, time_t policy_not_after)
{
    time_t best = now + (timeout > 0 ? timeout : 0), at = 0;
    int i;

    if (policy_not_after != 0 && policy_not_after < best) {
        best = policy_not_after;
    }
    if (client == NULL) return best;
    at = client->result.recheck_at;
    if (client->chain != NULL && client->chain->leaf != NULL) {
        amt_cert_next_bound(&at, now, client->chain->leaf);
        for (i = 0; i < sk_X509_num(client->chain->sent); i++) {
            amt_cert_next_bound(&at, now,
                                sk_X509_value(client->chain->sent, i));
        }
    }
    if (at != 0 && at < best) best = at;
    return best;
}

int amt_entry_is_verified(const amt_entry_t *e)
{
    return e->result.outcome == AMT_OUTCOME_SUCCESS
        || e->result.outcome == AMT_OUTCOME_GENEROUS;
}

typedef struct {
    apr_array_header_t *vars;
    apr_pool_t *p;
    const amt_client_cert_t *client;
} build_ctx;

static void push_var(build_ctx *b, int tag, const char *name,
                     const char *value)
{
    amt_entry_var_t *v = apr_array_push(b->vars);

    v->tag = tag;
    v->name = name;
    v->value = value;
}

/* stores one variable by its kind (amt_vars.h): the table of variables
 * says what each one depends on, so a new variable is kept right without
 * a change here; a new kind fails the build until it is handled */
static void collect(void *baton, const char *key, const char *value,
                    amt_var_kind_e kind)
{
    build_ctx *b = baton;
    const char *legacy;

    switch (kind) {
    case AMT_VAR_RESULT:            /* the entry keeps the result itself */
        break;
    case AMT_VAR_CERT_DATA:
        push_var(b, AMT_EV_CERTDATA, key, value);
        break;
    case AMT_VAR_CLOCK:
        push_var(b, AMT_EV_REMAIN, key, "");
        break;
    case AMT_VAR_DN_FORMAT:
        push_var(b, AMT_EV_STD_RFC2253, key, value);
        legacy = amt_var_lookup(b->p, b->client, key,
                                AMT_OPT_LEGACY_DN_FORMAT);
        if (legacy != NULL && *legacy != '\0') {
            push_var(b, AMT_EV_STD_LEGACY, key, legacy);
        }
        break;
    case AMT_VAR_PLAIN:
        push_var(b, AMT_EV_STD, key, value);
        break;
    }
}

/* a copy of s with every byte outside printable ASCII as '?', so that a
 * log text always passes amt_entry_decode()'s check */
static const char *ascii_only(apr_pool_t *p, const char *s)
{
    char *c, *out;

    if (s == NULL) return NULL;
    out = apr_pstrdup(p, s);
    for (c = out; *c; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) *c = '?';
    }
    return out;
}

apr_status_t amt_entry_make(amt_entry_t **entry, apr_pool_t *p,
                            const unsigned char key[AMT_ENTRY_KEY_LEN],
                            const amt_client_cert_t *client, time_t expires,
                            int with_certdata, apr_size_t log_max)
{
    amt_entry_t *e = apr_pcalloc(p, sizeof(*e));
    X509 *leaf = client->chain ? client->chain->leaf : NULL;

    memcpy(e->key, key, AMT_ENTRY_KEY_LEN);
    e->expires = expires;
    e->result = client->result;
    if (e->result.outcome == AMT_OUTCOME_FAILED && e->result.reason == NULL) {
        e->result.reason = "unknown error";
    }
    e->result.reason = ascii_only(p, e->result.reason);
    if (leaf != NULL) {
        e->log_subject = ascii_only(p, amt_cert_subject_for_log(p, leaf,
                                                                log_max));
        if (!amt_asn1_to_time(X509_get0_notAfter(leaf), &e->leaf_not_after)) {
            e->leaf_not_after = 0;
        }
    }
    if (amt_entry_is_verified(e) && leaf != NULL) {
        build_ctx b;

        e->subject_cn = amt_cert_subject_cn(p, leaf);
        e->has_certdata = with_certdata != 0;
        b.vars = apr_array_make(p, 40, sizeof(amt_entry_var_t));
        b.p = p;
        b.client = client;
        amt_vars_each(p, client, AMT_OPT_STD_ENV_VARS
                      | (with_certdata ? AMT_OPT_EXPORT_CERT_DATA : 0),
                      collect, &b);
        e->nvars = b.vars->nelts;
        e->vars = (const amt_entry_var_t *)b.vars->elts;
    }
    *entry = e;
    return APR_SUCCESS;
}

static const char *remain(apr_pool_t *p, const amt_entry_t *e, time_t now)
{
    return amt_var_remain(p, e->leaf_not_after, now);
}

/* whether a variable of this tag is published under flags (StdEnvVars
 * part only) */
static int std_tag_applies(int tag, int flags)
{
    switch (tag) {
    case AMT_EV_STD:
    case AMT_EV_REMAIN:      return 1;
    case AMT_EV_STD_RFC2253: return !(flags & AMT_OPT_LEGACY_DN_FORMAT);
    case AMT_EV_STD_LEGACY:  return (flags & AMT_OPT_LEGACY_DN_FORMAT) != 0;
    default:                 return 0;
    }
}

/* 1 when env holds some SSL_CLIENT_* key already (set by mod_ssl, SetEnv,
 * an earlier export...) */
static int has_client_key(const apr_table_t *env)
{
    const apr_array_header_t *arr = apr_table_elts(env);
    const apr_table_entry_t *elts = (const apr_table_entry_t *)arr->elts;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (elts[i].key != NULL
            && strncasecmp(elts[i].key, "SSL_CLIENT_", 11) == 0) {
            return 1;
        }
    }
    return 0;
}

apr_status_t amt_entry_export(apr_table_t *env, apr_pool_t *p,
                              const amt_entry_t *e, int flags, time_t now)
{
    int i, verified = amt_entry_is_verified(e);
    /* The names below are distinct, so when env holds none of them yet,
     * adding is the same as setting, without setn's scan of every
     * SSL_CLIENT_* key already added (they share one index bucket and one
     * checksum): that scan was most of a cache hit's cost. */
    void (*put)(apr_table_t *, const char *, const char *) =
        has_client_key(env) ? apr_table_setn : apr_table_addn;

    if (verified && (flags & AMT_OPT_EXPORT_CERT_DATA) && !e->has_certdata) {
        return APR_INCOMPLETE;
    }
    if (flags & AMT_OPT_STD_ENV_VARS) {
        put(env, "SSL_CLIENT_VERIFY", amt_result_string(p, &e->result));
    }
    if (!verified) {
        if (flags & AMT_OPT_EXPORT_CERT_DATA) put(env, "SSL_CLIENT_CERT", "");
        return APR_SUCCESS;
    }
    if (flags & AMT_OPT_STD_ENV_VARS) {
        for (i = 0; i < e->nvars; i++) {
            const amt_entry_var_t *v = &e->vars[i];
            if (!std_tag_applies(v->tag, flags)) continue;
            put(env, v->name, v->tag == AMT_EV_REMAIN
                              ? remain(p, e, now) : v->value);
        }
    }
    if (flags & AMT_OPT_EXPORT_CERT_DATA) {
        for (i = 0; i < e->nvars; i++) {
            if (e->vars[i].tag == AMT_EV_CERTDATA) {
                put(env, e->vars[i].name, e->vars[i].value);
            }
        }
    }
    return APR_SUCCESS;
}

const char *amt_entry_var(apr_pool_t *p, const amt_entry_t *e,
                          const char *name, int flags, time_t now,
                          int *answered)
{
    int i;

    *answered = 1;
    if (name == NULL || strlen(name) <= PREFIX_LEN
        || strncasecmp(name, prefix, PREFIX_LEN) != 0) {
        return NULL;
    }
    if (strcasecmp(name + PREFIX_LEN, "VERIFY") == 0) {
        return amt_result_string(p, &e->result);
    }
    if (!amt_entry_is_verified(e)) return NULL;
    for (i = 0; i < e->nvars; i++) {
        const amt_entry_var_t *v = &e->vars[i];
        if (strcmp(v->name, name) != 0) continue;
        if (v->tag == AMT_EV_CERTDATA) return v->value;
        if (!std_tag_applies(v->tag, flags)) continue;
        return v->tag == AMT_EV_REMAIN ? remain(p, e, now) : v->value;
    }
    *answered = 0;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* serialisation                                                       */

typedef struct {
    unsigned char *buf;
    apr_size_t len, cap;
    int overflow;
} writer_t;

static void put(writer_t *w, const void *data, apr_size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, data, n);
    w->len += n;
}

static void put_u8(writer_t *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    put(w, &b, 1);
}

static void put_u32(writer_t *w, apr_uint32_t v)
{
    unsigned char b[4];
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
    put(w, b, 4);
}

static void put_i64(writer_t *w, long long v)
{
    unsigned long long u = (unsigned long long)v;
    put_u32(w, (apr_uint32_t)(u >> 32));
    put_u32(w, (apr_uint32_t)(u & 0xffffffffu));
}

static void put_str(writer_t *w, const char *s)
{
    apr_size_t n;

    if (s == NULL) {
        put_u32(w, STR_NULL);
        return;
    }
    n = strlen(s);
    if (n >= AMT_ENTRY_MAX) {
        w->overflow = 1;
        return;
    }
    put_u32(w, (apr_uint32_t)n);
    put(w, s, n + 1);
}

static apr_size_t str_size(const char *s)
{
    return 4 + (s ? strlen(s) + 1 : 0);
}

apr_status_t amt_entry_encode(unsigned char **buf, apr_size_t *len,
                              apr_pool_t *p, const amt_entry_t *e)
{
    writer_t w;
    apr_size_t need;
    int i;

    need = 4 + 1 + AMT_ENTRY_KEY_LEN + 8 + 1 + 1 + 4 + 4 + 8 + 1
        + str_size(e->result.reason) + str_size(e->subject_cn)
        + str_size(e->log_subject) + 4;
    for (i = 0; i < e->nvars; i++) {
        need += 1 + str_size(e->vars[i].name) + str_size(e->vars[i].value);
        if (need > AMT_ENTRY_MAX) return AMT_ETOOLARGE;
    }
    if (need > AMT_ENTRY_MAX || e->nvars > AMT_ENTRY_MAX_VARS) {
        return AMT_ETOOLARGE;
    }
    w.buf = apr_palloc(p, need);
    w.len = 0;
    w.cap = need;
    w.overflow = 0;
    put(&w, ENTRY_MAGIC, 4);
    put_u8(&w, ENTRY_VERSION);
    put(&w, e->key, AMT_ENTRY_KEY_LEN);
    put_i64(&w, (long long)e->expires);
    put_u8(&w, (unsigned)e->result.outcome);
    put_u8(&w, (unsigned)e->result.failure);
    put_u32(&w, (apr_uint32_t)e->result.x509_error);
    put_u32(&w, (apr_uint32_t)e->result.error_depth);
    put_i64(&w, (long long)e->leaf_not_after);
    put_u8(&w, e->has_certdata ? 1 : 0);
    put_str(&w, e->result.reason);
    put_str(&w, e->subject_cn);
    put_str(&w, e->log_subject);
    put_u32(&w, (apr_uint32_t)e->nvars);
    for (i = 0; i < e->nvars; i++) {
        put_u8(&w, (unsigned)e->vars[i].tag);
        put_str(&w, e->vars[i].name);
        put_str(&w, e->vars[i].value);
    }
    if (w.overflow || w.len != need) return AMT_ETOOLARGE;
    *buf = w.buf;
    *len = w.len;
    return APR_SUCCESS;
}

typedef struct {
    const unsigned char *buf;
    apr_size_t len, pos;
    const char *why;
    int check_text;             /* 0: the bytes of texts are not rescanned */
} reader_t;

static int fail_at(reader_t *r, const char *why)
{
    if (r->why == NULL) r->why = why;
    return 0;
}

static int get(reader_t *r, void *out, apr_size_t n)
{
    if (r->why != NULL) return 0;
    if (n > r->len - r->pos) return fail_at(r, "truncated entry");
    memcpy(out, r->buf + r->pos, n);
    r->pos += n;
    return 1;
}

static int get_u8(reader_t *r, unsigned *v)
{
    unsigned char b;
    if (!get(r, &b, 1)) return 0;
    *v = b;
    return 1;
}

static int get_u32(reader_t *r, apr_uint32_t *v)
{
    unsigned char b[4];
    if (!get(r, b, 4)) return 0;
    *v = ((apr_uint32_t)b[0] << 24) | ((apr_uint32_t)b[1] << 16)
        | ((apr_uint32_t)b[2] << 8) | (apr_uint32_t)b[3];
    return 1;
}

static int get_i64(reader_t *r, long long *v)
{
    apr_uint32_t hi, lo;
    if (!get_u32(r, &hi) || !get_u32(r, &lo)) return 0;
    *v = (long long)(((unsigned long long)hi << 32) | lo);
    return 1;
}

/* text kinds */
#define TXT_ANY     0   /* any bytes but NUL */
#define TXT_ASCII   1   /* printable ASCII */
#define TXT_NAME    2   /* SSL_CLIENT_[A-Za-z0-9_]+ */

/* no early exit in these loops: the compiler vectorises them */
static int all_printable(const char *s, apr_size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned bad = 0;
    apr_size_t i;

    for (i = 0; i < n; i++) bad |= (unsigned)(u[i] - 0x20u) > 0x5eu;
    return !bad;
}

static int all_name_chars(const char *s, apr_size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned bad = 0;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned c = u[i], l = c | 0x20u;   /* l: lower case of a letter */
        bad |= !((unsigned)(l - 'a') < 26u || (unsigned)(c - '0') < 10u
                 || c == '_');
    }
    return !bad;
}

static int text_ok(const char *s, apr_size_t n, int kind)
{
    if (kind == TXT_ASCII) return all_printable(s, n);
    if (kind == TXT_NAME) {
        return n > PREFIX_LEN && n <= 64
            && memcmp(s, prefix, PREFIX_LEN) == 0
            && all_name_chars(s + PREFIX_LEN, n - PREFIX_LEN);
    }
    return memchr(s, '\0', n) == NULL;
}

static int get_str(reader_t *r, const char **out, int nullable, int kind)
{
    apr_uint32_t n;

    if (!get_u32(r, &n)) return 0;
    if (n == STR_NULL) {
        if (!nullable) return fail_at(r, "missing text field");
        *out = NULL;
        return 1;
    }
    if (n >= AMT_ENTRY_MAX || (apr_size_t)n + 1 > r->len - r->pos) {
        return fail_at(r, "text field past the end");
    }
    if (r->buf[r->pos + n] != '\0') return fail_at(r, "unterminated text");
    if (r->check_text && !text_ok((const char *)r->buf + r->pos, n, kind)) {
        return fail_at(r, "bad bytes in a text field");
    }
    *out = (const char *)r->buf + r->pos;
    r->pos += (apr_size_t)n + 1;
    return 1;
}

static apr_status_t decode(amt_entry_t **entry, apr_pool_t *p,
                           const unsigned char key[AMT_ENTRY_KEY_LEN],
                           const unsigned char *buf, apr_size_t len,
                           int check_text, const char **why)
{
    amt_entry_t *e;
    amt_entry_var_t *vars = NULL;
    reader_t r;
    unsigned char magic[4];
    unsigned version = 0, outcome = 0, failure = 0, certdata = 0;
    apr_uint32_t x509_error = 0, depth = 0, nvars = 0, i;
    long long expires = 0, not_after = 0;
    int verified;

    r.buf = buf;
    r.len = len;
    r.pos = 0;
    r.why = NULL;
    r.check_text = check_text;
    *why = NULL;
    *entry = NULL;
    if (buf == NULL || len > AMT_ENTRY_MAX) {
        *why = "entry too large";
        return AMT_EBADVALUE;
    }
    e = apr_pcalloc(p, sizeof(*e));
    if (get(&r, magic, 4) && memcmp(magic, ENTRY_MAGIC, 4) != 0) {
        fail_at(&r, "not an entry (magic)");
    }
    if (get_u8(&r, &version) && version != ENTRY_VERSION
        && version != ENTRY_VERSION_NO_FAILURE) {
        fail_at(&r, "unknown entry version");
    }
    if (get(&r, e->key, AMT_ENTRY_KEY_LEN)
        && memcmp(e->key, key, AMT_ENTRY_KEY_LEN) != 0) {
        fail_at(&r, "entry of another key");
    }
    if (get_i64(&r, &expires) && expires <= 0) fail_at(&r, "bad expiry");
    if (get_u8(&r, &outcome) && outcome > AMT_OUTCOME_FAILED) {
        fail_at(&r, "bad outcome");
    }
    if (version == ENTRY_VERSION && get_u8(&r, &failure)
        && (failure >= AMT_FAIL_COUNT
            || (outcome == AMT_OUTCOME_FAILED)
               != (failure != AMT_FAIL_NONE))) {
        fail_at(&r, "bad failure class");
    }
    if (get_u32(&r, &x509_error) && x509_error > MAX_X509_ERROR) {
        fail_at(&r, "bad verify error");
    }
    if (get_u32(&r, &depth) && depth != 0xffffffffu && depth > MAX_ERR_DEPTH) {
        fail_at(&r, "bad error depth");
    }
    if (get_i64(&r, &not_after) && not_after < 0) fail_at(&r, "bad notAfter");
    if (get_u8(&r, &certdata) && certdata > 1) fail_at(&r, "bad flag");
    get_str(&r, &e->result.reason, 1, TXT_ASCII);
    get_str(&r, &e->subject_cn, 1, TXT_ANY);
    get_str(&r, &e->log_subject, 1, TXT_ASCII);
    if (get_u32(&r, &nvars) && nvars > AMT_ENTRY_MAX_VARS) {
        fail_at(&r, "too many variables");
    }
    if (r.why != NULL) goto bad;

    e->expires = (time_t)expires;
    e->result.outcome = (amt_outcome_e)outcome;
    e->result.x509_error = (int)x509_error;
    e->result.error_depth = depth == 0xffffffffu ? -1 : (int)depth;
    if (version == ENTRY_VERSION_NO_FAILURE && outcome == AMT_OUTCOME_FAILED) {
        failure = x509_error != 0 ? amt_failure_of_x509((int)x509_error)
                                  : AMT_FAIL_MALFORMED;
    }
    e->result.failure = (amt_failure_e)failure;
    e->leaf_not_after = (time_t)not_after;
    e->has_certdata = (int)certdata;
    verified = amt_entry_is_verified(e);
    if ((outcome == AMT_OUTCOME_FAILED) != (e->result.reason != NULL)) {
        fail_at(&r, "reason does not match the outcome");
    }
    if (!verified && (nvars != 0 || e->subject_cn != NULL || certdata)) {
        fail_at(&r, "variables in an unverified entry");
    }
    if (nvars > 0) vars = apr_pcalloc(p, nvars * sizeof(*vars));
    for (i = 0; i < nvars && r.why == NULL; i++) {
        unsigned tag = 0;
        if (get_u8(&r, &tag)
            && (tag < AMT_EV_STD || tag > AMT_EV_CERTDATA
                || (tag == AMT_EV_CERTDATA && !certdata))) {
            fail_at(&r, "bad variable tag");
        }
        vars[i].tag = (int)tag;
        get_str(&r, &vars[i].name, 0, TXT_NAME);
        get_str(&r, &vars[i].value, 0, TXT_ANY);
        if (r.why == NULL && tag == AMT_EV_REMAIN
            && strcmp(vars[i].name, "SSL_CLIENT_V_REMAIN") != 0) {
            fail_at(&r, "bad variable tag");
        }
    }
    if (r.why == NULL && r.pos != r.len) fail_at(&r, "trailing bytes");
    if (r.why != NULL) goto bad;
    e->nvars = (int)nvars;
    e->vars = vars;
    *entry = e;
    return APR_SUCCESS;

bad:
    *why = r.why;
    *entry = NULL;
    return AMT_EBADVALUE;
}

apr_status_t amt_entry_decode(amt_entry_t **entry, apr_pool_t *p,
                              const unsigned char key[AMT_ENTRY_KEY_LEN],
                              const unsigned char *buf, apr_size_t len,
                              const char **why)
{
    return decode(entry, p, key, buf, len, 1, why);
}

apr_status_t amt_entry_decode_own(amt_entry_t **entry, apr_pool_t *p,
                                  const unsigned char key[AMT_ENTRY_KEY_LEN],
                                  const unsigned char *buf, apr_size_t len,
                                  const char **why)
{
    return decode(entry, p, key, buf, len, 0, why);
}
