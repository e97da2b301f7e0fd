/*
 * test_match.c - arguments of the Require providers (amt_match.h).
 */
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "amt_match.h"
#include "amt_error.h"
#include "tap.h"

#define FP "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_fingerprint(apr_pool_t *p)
{
    static const struct { const char *word; const char *want; } cases[] = {
        { FP, FP },
        { "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", FP },
        { "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:AB:"
          "CD:EF:01:23:45:67:89:AB:CD:EF", FP },
        { ":" FP ":", FP },
        { FP "0", NULL },                              /* 65 digits */
        { "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
          NULL },                                      /* 63 digits */
        { "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          NULL },
        { "0123456789abcdef 0123456789abcdef0123456789abcdef0123456789abcdef",
          NULL },
        { "", NULL },
        { ":::", NULL },
        { "sha256:" FP, NULL },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *hex = NULL, *err = NULL;
        apr_status_t rv = amt_parse_fingerprint(&hex, p, cases[i].word, &err);
        if (cases[i].want) {
            is_int(rv, APR_SUCCESS, "fingerprint '%s' accepted", cases[i].word);
            is_str(hex, cases[i].want, "fingerprint '%s' normalised",
                   cases[i].word);
        }
        else {
            is_int(rv, AMT_EBADVALUE, "fingerprint '%s' rejected",
                   cases[i].word);
            contains_str(err, "64 hex digits", "fingerprint '%s': message",
                         cases[i].word);
        }
    }
}

static void test_dns_pattern(apr_pool_t *p)
{
    static const struct { const char *word; const char *want; } cases[] = {
        { "svc.example.com", "svc.example.com" },
        { "SVC.Example.COM", "svc.example.com" },
        { "svc.example.com.", "svc.example.com" },
        { "*.example.com", "*.example.com" },
        { "*.Example.com", "*.example.com" },
        { "localhost", "localhost" },
        { "a-b_c.d1", "a-b_c.d1" },
        { "*.com", NULL },
        { "*", NULL },
        { "*.", NULL },
        { "a.*.example.com", NULL },
        { "*foo.example.com", NULL },
        { "**.example.com", NULL },
        { "", NULL },
        { ".", NULL },
        { ".example.com", NULL },
        { "a..b", NULL },
        { "a.b..", NULL },
        { "exa mple.com", NULL },
        { "example.com/x", NULL },
        { "ex\xc3\xa4mple.com", NULL },
        { "0123456789012345678901234567890123456789012345678901234567890123.com",
          NULL },                                      /* 64-byte label */
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *out = NULL, *err = NULL;
        apr_status_t rv = amt_parse_dns_pattern(&out, p, cases[i].word, &err);
        if (cases[i].want) {
            is_int(rv, APR_SUCCESS, "dns '%s' accepted", cases[i].word);
            is_str(out, cases[i].want, "dns '%s' normalised", cases[i].word);
        }
        else {
            is_int(rv, AMT_EBADVALUE, "dns '%s' rejected", tap_escape(cases[i].word));
            contains_str(err, "DNS name", "dns '%s': message", tap_escape(cases[i].word));
        }
    }
    {   /* 63-byte label is fine, 254-byte name is not */
        char name[300];
        const char *out, *err;
        memset(name, 'a', 63);
        strcpy(name + 63, ".com");
        is_int(amt_parse_dns_pattern(&out, p, name, &err), APR_SUCCESS,
               "63-byte label accepted");
        memset(name, 'a', 254);
        for (i = 50; i < 254; i += 50) name[i] = '.';
        name[254] = '\0';
        is_int(amt_parse_dns_pattern(&out, p, name, &err), AMT_EBADVALUE,
               "254-byte name rejected");
    }
}

static void test_dns_match(void)
{
    static const struct { const char *pat; const char *name; int want; } cases[] = {
        { "svc.example.com", "svc.example.com", 1 },
        { "svc.example.com", "SVC.EXAMPLE.COM", 1 },
        { "svc.example.com", "svc.example.com.", 1 },
        { "svc.example.com", "svc.example.co", 0 },
        { "svc.example.com", "svc.example.com.evil", 0 },
        { "svc.example.com", "xsvc.example.com", 0 },
        { "svc.example.com", "a.svc.example.com", 0 },
        { "svc.example.com", "svc.example.com\\00.evil", 0 },
        { "svc.example.com", "", 0 },
        { "*.example.com", "a.example.com", 1 },
        { "*.example.com", "ABC.Example.Com", 1 },
        { "*.example.com", "a.example.com.", 1 },
        { "*.example.com", "*.example.com", 1 },
        { "*.example.com", "example.com", 0 },
        { "*.example.com", ".example.com", 0 },
        { "*.example.com", "a.b.example.com", 0 },
        { "*.example.com", "a.example.org", 0 },
        { "*.example.com", "a.xexample.com", 0 },
        { "*.example.com", "aexample.com", 0 },
        { "*.example.com", "", 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(amt_match_dns(cases[i].pat, cases[i].name), cases[i].want,
               "dns pattern '%s' vs '%s'", cases[i].pat, cases[i].name);
    }
}

static void test_uri_email(apr_pool_t *p)
{
    static const struct { const char *word; int ok; } uris[] = {
        { "spiffe://example.org/ns/prod/sa/web", 1 },
        { "urn:uuid:1234", 1 },
        { "https://example.com/a?b=c", 1 },
        { "a+b.c-d:x", 1 },
        { "spiffe:", 0 },
        { "://example.org", 0 },
        { "1abc:x", 0 },
        { "example.org/path", 0 },
        { "spiffe://example.org/a b", 0 },
        { "spiffe://example.org/\x01", 0 },
        { "", 0 },
    };
    static const struct { const char *word; int ok; } emails[] = {
        { "alice@example.com", 1 },
        { "a.b+tag@sub.example.com", 1 },
        { "@example.com", 0 },
        { "alice@", 0 },
        { "alice", 0 },
        { "a@b@c", 0 },
        { "al ice@example.com", 0 },
        { "", 0 },
    };
    static const struct { const char *want, *have; int match; } em[] = {
        { "alice@example.com", "alice@example.com", 1 },
        { "alice@example.com", "alice@EXAMPLE.com", 1 },
        { "alice@example.com", "Alice@example.com", 0 },
        { "alice@example.com", "alice@example.co", 0 },
        { "alice@example.com", "xalice@example.com", 0 },
        { "alice@example.com", "alice", 0 },
        { "alice@example.com", "", 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        const char *err = NULL;
        apr_status_t rv = amt_parse_uri(p, uris[i].word, &err);
        is_int(rv, uris[i].ok ? APR_SUCCESS : AMT_EBADVALUE, "uri '%s' %s",
               tap_escape(uris[i].word), uris[i].ok ? "accepted" : "rejected");
        if (!uris[i].ok) contains_str(err, "not a URI", "uri message");
    }
    for (i = 0; i < sizeof(emails) / sizeof(emails[0]); i++) {
        const char *err = NULL;
        apr_status_t rv = amt_parse_email(p, emails[i].word, &err);
        is_int(rv, emails[i].ok ? APR_SUCCESS : AMT_EBADVALUE, "email '%s' %s",
               emails[i].word, emails[i].ok ? "accepted" : "rejected");
        if (!emails[i].ok) contains_str(err, "not an email", "email message");
    }
    for (i = 0; i < sizeof(em) / sizeof(em[0]); i++) {
        is_int(amt_match_email(em[i].want, em[i].have), em[i].match,
               "email '%s' vs '%s'", em[i].want, em[i].have);
    }
}

static void test_dn_form(void)
{
    static const char *const dn[] = {
        "/O=Acme/OU=Dev/CN=client1", "/", "  /CN=x", "\t/CN=x",
        "CN=client1,OU=Dev,O=Acme", "cn=client1", "Cn=client1",
        "emailAddress=a@b,CN=x", "EMAILADDRESS=a@b", "commonName=x",
        "2.5.4.3=client1", "1.2.3.4.5=x", "O = Acme", " OU=Dev",
        "C=US", "DC=example,DC=com", "UID=u", "serialNumber=1", NULL
    };
    static const char *const not_dn[] = {
        "alice", "", "dXNlcg==", "a=b", "user=name", "=x", "CN", "CN x",
        "name@example.com", "x/CN=y", "CN_=x", "foo.bar=x", "a b=c", NULL
    };
    int i;

    for (i = 0; dn[i] != NULL; i++) {
        ok(amt_user_is_dn_form(dn[i]), "DN form: '%s'", dn[i]);
    }
    for (i = 0; not_dn[i] != NULL; i++) {
        ok(!amt_user_is_dn_form(not_dn[i]), "not a DN form: '%s'", not_dn[i]);
    }
    ok(!amt_user_is_dn_form(NULL), "not a DN form: NULL");
}

int main(void)
{
    apr_pool_t *p;
    int rc;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_fingerprint(p);
    test_dns_pattern(p);
    test_dns_match();
    test_uri_email(p);
    test_dn_form();

    rc = done_testing();
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
