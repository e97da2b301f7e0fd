/*
 * amt_match.c - arguments of the Require providers: parsers and matchers.
 */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/objects.h>

#include "amt_match.h"
#include "amt_error.h"

#define DNS_MAX_NAME  253
#define DNS_MAX_LABEL 63

apr_status_t amt_parse_fingerprint(const char **hex, apr_pool_t *p,
                                   const char *word, const char **err)
{
    char buf[AMT_SHA256_HEX_LEN + 1];
    apr_size_t n = 0;
    const char *s;

    for (s = word; *s; s++) {
        if (*s == ':') continue;
        if (!apr_isxdigit(*s) || n == AMT_SHA256_HEX_LEN) {
            n = AMT_SHA256_HEX_LEN + 1;
            break;
        }
        buf[n++] = (char)apr_tolower(*s);
    }
    if (n != AMT_SHA256_HEX_LEN) {
        *err = apr_psprintf(p, "'%s' is not a SHA-256 fingerprint (64 hex "
                            "digits, colons allowed)", word);
        return AMT_EBADVALUE;
    }
    buf[n] = '\0';
    *hex = apr_pstrdup(p, buf);
    return APR_SUCCESS;
}

static int dns_char(char c)
{
    return apr_isalnum(c) || c == '-' || c == '_';
}

apr_status_t amt_parse_dns_pattern(const char **out, apr_pool_t *p,
                                   const char *word, const char **err)
{
    const char *name = word, *s;
    apr_size_t len, label = 0;
    int labels = 1, wild = 0;
    char *low, *q;

    if (name[0] == '*' && name[1] == '.') {
        wild = 1;
        name += 2;
    }
    len = strlen(name);
    if (len > 0 && name[len - 1] == '.') len--;      /* one trailing dot */
    if (len == 0 || len > DNS_MAX_NAME) goto bad;
    for (s = name; s < name + len; s++) {
        if (*s == '.') {
            if (label == 0) goto bad;
            label = 0;
            labels++;
        }
        else if (dns_char(*s) && ++label <= DNS_MAX_LABEL) {
            continue;
        }
        else {
            goto bad;
        }
    }
    if (label == 0 || (wild && labels < 2)) goto bad;
    low = apr_pstrmemdup(p, name, len);
    for (q = low; *q; q++) *q = (char)apr_tolower(*q);
    *out = wild ? apr_pstrcat(p, "*.", low, NULL) : low;
    return APR_SUCCESS;
bad:
    *err = apr_psprintf(p, "'%s' is not a DNS name or a *.name wildcard "
                        "(letters, digits, '-', '_'; a wildcard stands for "
                        "the leftmost label only and needs two labels after "
                        "it)", word);
    return AMT_EBADVALUE;
}

int amt_match_dns(const char *pattern, const char *name)
{
    apr_size_t plen = strlen(pattern), nlen = strlen(name);
    const char *dot;

    if (nlen > 0 && name[nlen - 1] == '.') nlen--;
    if (pattern[0] == '*' && pattern[1] == '.') {
        /* one non-empty leftmost label, then ".rest" exactly */
        dot = memchr(name, '.', nlen);
        if (dot == NULL || dot == name) return 0;
        return (apr_size_t)(name + nlen - dot) == plen - 1
            && strncasecmp(dot, pattern + 1, plen - 1) == 0;
    }
    return nlen == plen && strncasecmp(name, pattern, plen) == 0;
}

static int has_space_or_ctrl(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7f) return 1;
    }
    return 0;
}

apr_status_t amt_parse_uri(apr_pool_t *p, const char *word, const char **err)
{
    const char *s = word;

    if (apr_isalpha(*s)) {
        for (s++; apr_isalnum(*s) || *s == '+' || *s == '-' || *s == '.'; s++)
            ;
    }
    if (s == word || *s != ':' || s[1] == '\0' || has_space_or_ctrl(word)) {
        *err = apr_psprintf(p, "'%s' is not a URI (scheme:rest, e.g. "
                            "spiffe://example.org/service)", word);
        return AMT_EBADVALUE;
    }
    return APR_SUCCESS;
}

apr_status_t amt_parse_email(apr_pool_t *p, const char *word,
                             const char **err)
{
    const char *at = strchr(word, '@');

    if (at == NULL || at == word || at[1] == '\0' || strchr(at + 1, '@')
        || has_space_or_ctrl(word)) {
        *err = apr_psprintf(p, "'%s' is not an email address (local@domain)",
                            word);
        return AMT_EBADVALUE;
    }
    return APR_SUCCESS;
}

int amt_match_email(const char *want, const char *have)
{
    const char *wat = strrchr(want, '@'), *hat = strrchr(have, '@');

    if (wat == NULL || hat == NULL || wat - want != hat - have) return 0;
    return strncmp(want, have, (apr_size_t)(wat - want)) == 0
        && strcasecmp(wat, hat) == 0;
}

/* longest attribute type looked up ("generationQualifier" is 19) */
#define DN_TYPE_MAX 64

/* long names of subject attributes, compared ignoring case (OpenSSL's own
 * look-up is exact) */
static const char *const dn_long_names[] = {
    "commonName", "countryName", "localityName", "stateOrProvinceName",
    "organizationName", "organizationalUnitName", "emailAddress",
    "serialNumber", "givenName", "surname", "title", "initials",
    "pseudonym", "dnQualifier", "generationQualifier", "domainComponent",
    "userId", "streetAddress", "postalCode", "businessCategory",
    "uniqueIdentifier", NULL
};

static int is_attribute_type(const char *type, apr_size_t len)
{
    char buf[DN_TYPE_MAX + 1];
    ASN1_OBJECT *obj;
    apr_size_t i;
    int known = 0, pass;

    if (len == 0 || len > DN_TYPE_MAX) return 0;
    for (i = 0; dn_long_names[i] != NULL; i++) {
        if (strlen(dn_long_names[i]) == len
            && strncasecmp(dn_long_names[i], type, len) == 0) {
            return 1;
        }
    }
    for (i = 0; i < len; i++) {
        if (!apr_isalnum(type[i]) && type[i] != '.' && type[i] != '-') {
            return 0;
        }
    }
    /* as written, then upper and lower case: OpenSSL's names are case
     * sensitive ("CN", "emailAddress"), what an authn provider compares
     * may not be */
    for (pass = 0; pass < 3 && !known; pass++) {
        for (i = 0; i < len; i++) {
            buf[i] = pass == 0 ? type[i]
                   : pass == 1 ? (char)apr_toupper(type[i])
                               : (char)apr_tolower(type[i]);
        }
        buf[len] = '\0';
        if ((obj = OBJ_txt2obj(buf, 0)) != NULL) {
            known = 1;
            ASN1_OBJECT_free(obj);
        }
    }
    return known;
}

int amt_user_is_dn_form(const char *user)
{
    const char *eq;
    apr_size_t len;

    if (user == NULL) return 0;
    while (*user == ' ' || *user == '\t') user++;
    if (*user == '/') return 1;
    if ((eq = strchr(user, '=')) == NULL) return 0;
    len = (apr_size_t)(eq - user);
    while (len > 0 && (user[len - 1] == ' ' || user[len - 1] == '\t')) len--;
    return is_attribute_type(user, len);
}
