/*
 * test_vars.c - SSL_CLIENT_* variables: amt_var_lookup, amt_vars_export and
 * the certificate helpers of amt_vars.h.  Expected values are written out
 * by hand from the certificate contents (formats per mod_ssl.md section 1),
 * or computed here by other means (hand-made PEM, EVP_Digest, timegm).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* timegm */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/evp.h>

#include "amt_chain.h"
#include "amt_error.h"
#include "amt_trust.h"
#include "amt_vars.h"
#include "amt_verify.h"
#include "pki.h"
#include "tap.h"

/* The rich leaf's subject, in DER order. */
static const pki_rdn_t rich_subject[] = {
    { "C", "US", 0, 0, 0 },
    { "ST", "California", 0, 0, 0 },
    { "L", "#Hash Town", 0, 0, 0 },
    { "O", "Acme, Inc.", 0, 0, 0 },
    { "OU", "Dev", 0, 0, 0 },
    { "OU", "Ops\tTab", 0, 0, 0 },
    { "CN", "J\xc3\xb6hn \"JD\" +<x>;y\\z=w", 0, 0, 0 },
    { "title", "Boss", 0, 0, 0 },
    { "description", "a/b", 0, 0, 0 },
    { "UID", "jdoe", 0, 0, 0 },
    { "serialNumber", "SN123", 0, 0, 0 },
    { "DC", "example", 0, 0, 0 },
    { "emailAddress", "john@example.com", 0, 0, 0 },
    { NULL, NULL, 0, 0, 0 }
};

/* RFC 2253: reversed order, , + " \ < > ; and a leading # escaped with a
 * backslash, control characters as \XX, UTF-8 raw */
static const char rich_dn_rfc2253[] =
    "emailAddress=john@example.com,DC=example,serialNumber=SN123,UID=jdoe,"
    "description=a/b,title=Boss,"
    "CN=J\xc3\xb6hn \\\"JD\\\" \\+\\<x\\>\\;y\\\\z=w,"
    "OU=Ops\\09Tab,OU=Dev,O=Acme\\, Inc.,L=\\#Hash Town,ST=California,C=US";

/* X509_NAME_oneline: DER order, / and + escaped, bytes outside 0x20..0x7e
 * as \xHH; OpenSSL 1.1.1 escapes neither / nor + and writes a multi-valued
 * RDN as two (mod_ssl's LegacyDNStringFormat is the same there) */
#if OPENSSL_VERSION_NUMBER < 0x30000000L
#define ONELINE_ESC(c) c
#define ONELINE_RDN_PLUS "/"
#else
#define ONELINE_ESC(c) "\\" c
#define ONELINE_RDN_PLUS "+"
#endif
static const char rich_dn_legacy[] =
    "/C=US/ST=California/L=#Hash Town/O=Acme, Inc./OU=Dev/OU=Ops\\x09Tab"
    "/CN=J\\xC3\\xB6hn \"JD\" " ONELINE_ESC("+") "<x>;y\\z=w/title=Boss"
    "/description=a" ONELINE_ESC("/") "b"
    "/UID=jdoe/serialNumber=SN123/DC=example/emailAddress=john@example.com";

static const pki_rdn_t inter_subject[] = {
    { "C", "DE", 0, 0, 0 },
    { "O", "Unit Test PKI", 0, 0, 0 },
    { "CN", "\xc3\x9cn\xc3\xaf Zwischen CA", 0, 0, 0 },
    { NULL, NULL, 0, 0, 0 }
};

static const char inter_dn_rfc2253[] =
    "CN=\xc3\x9cn\xc3\xaf Zwischen CA,O=Unit Test PKI,C=DE";
static const char inter_dn_legacy[] =
    "/C=DE/O=Unit Test PKI/CN=\\xC3\\x9Cn\\xC3\\xAF Zwischen CA";

/* Odd corners of DN formatting (mod_ssl.md 1.2 / 1.3): spaces around a
 * value, a BMPString, a leading #, a multi-valued RDN, DEL, and an
 * attribute type OpenSSL has no name for. */
static const pki_rdn_t odd_subject[] = {
    { "C", "US", 0, 0, 0 },
    { "O", " Lead and trail ", 0, 0, 0 },
    { "O", "\0B\0m\0p\0 \0\xd6\0r\0g", 0, V_ASN1_BMPSTRING, 14 },
    { "OU", "#hash", 0, 0, 0 },
    { "CN", "multi", 0, 0, 0 },
    { "UID", "mv1", 1, 0, 0 },
    { "OU", "Del\x7f", 0, 0, 0 },
    { "1.2.3.4.5", "custom", 0, 0, 0 },
    { NULL, NULL, 0, 0, 0 }
};

static const char odd_dn_rfc2253[] =
    "1.2.3.4.5=#0C06637573746F6D,OU=Del\\7F,UID=mv1+CN=multi,OU=\\#hash,"
    "O=Bmp \xc3\x96rg,O=\\ Lead and trail\\ ,C=US";

static const char odd_dn_legacy[] =
    "/C=US/O= Lead and trail /O=\\x00B\\x00m\\x00p\\x00 \\x00\\xD6\\x00r"
    "\\x00g/OU=#hash/CN=multi" ONELINE_RDN_PLUS "UID=mv1/OU=Del\\x7F/1.2.3.4.5=custom";

static const char odd_san[] =
    "otherName:1.3.6.1.4.1.311.20.2.3;IA5:ia5@corp.example,"
    "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@corp.example,"
    "otherName:1.3.6.1.5.5.7.8.7;IA5:_https.example.com,"
    "IP:192.0.2.7,URI:https://odd.example/,DNS:odd.example";

#define RICH_URI "spiffe://example.org/ns/default/sa/web"
#define RICH_SERIAL_HEX "F1E2D3C4B5A69788"
#define RICH_SERIAL_DEC "17429726349691885448"

static const char rich_san[] =
    "DNS:a.example.com,DNS:b.example.com,email:john@example.com,"
    "email:j2@example.com,URI:spiffe://example.org/ns/default/sa/web,"
    "IP:192.0.2.1,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:john@corp.example";

typedef struct {
    pki_cert_t *root, *inter, *rich, *odd, *plain, *rsa_self;
    pki_cert_t *days10_5, *hours12, *expired;
    amt_trust_t *trust;
    time_t t0;               /* "now" of the offset certificates */
} fixture_t;

/* PEM made by hand from the DER: 64-column base64 lines, final newline */
static const char *hand_pem(apr_pool_t *p, X509 *x)
{
    apr_size_t len;
    unsigned char *der = pki_der(p, x, &len);
    char *b64 = apr_palloc(p, 4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)b64, der, (int)len);
    const char *out = "-----BEGIN CERTIFICATE-----\n";

    for (int i = 0; i < n; i += 64)
        out = apr_pstrcat(p, out,
                          apr_pstrmemdup(p, b64 + i,
                                         (apr_size_t)(n - i < 64 ? n - i
                                                      : 64)),
                          "\n", NULL);
    return apr_pstrcat(p, out, "-----END CERTIFICATE-----\n", NULL);
}

static const char *sha256_hex(apr_pool_t *p, X509 *x)
{
    apr_size_t len;
    unsigned char *der = pki_der(p, x, &len);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char *hex;

    if (!EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL))
        bail_out("EVP_Digest failed");
    hex = apr_palloc(p, 2 * mdlen + 1);
    for (unsigned int i = 0; i < mdlen; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
    return hex;
}

/* parses the ALB header for the certs and verifies it */
static amt_client_cert_t *make_client(apr_pool_t *p, const fixture_t *f,
                                      int no_ca_ok,
                             X509 *leaf, X509 *second)
{
    amt_client_cert_t *client = apr_pcalloc(p, sizeof(*client));
    amt_chain_t *chain = NULL;
    amt_policy_t policy = { .trust = f->trust, .depth = 5, .no_ca_ok = no_ca_ok };
    const char *reason = NULL;

    if (amt_chain_from_header(&chain, p,
                              second ? pki_header(p, leaf, second, NULL)
                                     : pki_header(p, leaf, NULL),
                              &reason) != APR_SUCCESS || chain == NULL)
        bail_out("test chain does not parse: %s", tap_escape(reason));
    if (amt_verify_chain(&client->result, p, &policy, chain, 0) != APR_SUCCESS)
        bail_out("amt_verify_chain failed to run");
    client->chain = chain;
    return client;
}

/* a client whose result is set by hand (formatting of certificates that do
 * not verify, e.g. an expired one for V_REMAIN) */
static amt_client_cert_t *forced_client(apr_pool_t *p, X509 *leaf,
                               amt_outcome_e outcome)
{
    amt_client_cert_t *client = apr_pcalloc(p, sizeof(*client));
    amt_chain_t *chain = NULL;
    const char *reason = NULL;

    if (amt_chain_from_header(&chain, p, pki_header(p, leaf, NULL), &reason)
        != APR_SUCCESS || chain == NULL)
        bail_out("test chain does not parse: %s", tap_escape(reason));
    client->chain = chain;
    client->result.outcome = outcome;
    client->result.error_depth = -1;
    return client;
}

/* "Mon DD HH:MM:SS YYYY GMT" with the day padded by a space, by hand */
static const char *hand_time(apr_pool_t *p, time_t t)
{
    static const char *const mon[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };
    struct tm tm;

    gmtime_r(&t, &tm);
    return apr_psprintf(p, "%s %2d %02d:%02d:%02d %d GMT", mon[tm.tm_mon],
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                        tm.tm_year + 1900);
}

static void make_fixture(apr_pool_t *p, fixture_t *f)
{
    pki_spec_t spec;
    const char *err = NULL;
    const char *dir = pki_tmpdir(p);

    f->root = pki_root(p, "Vars Root CA");
    memset(&spec, 0, sizeof(spec));
    spec.subject = inter_subject;
    spec.is_ca = 1;
    f->inter = pki_issue(p, &spec, f->root);

    memset(&spec, 0, sizeof(spec));
    spec.subject = rich_subject;
    spec.san = rich_san;
    spec.serial_hex = RICH_SERIAL_HEX;
    spec.not_before_str = "20250105090807Z";
    spec.not_after_str = "20510102030405Z";
    f->rich = pki_issue(p, &spec, f->inter);

    f->plain = pki_leaf(p, "plain", f->inter);

    memset(&spec, 0, sizeof(spec));
    spec.subject = odd_subject;
    spec.san = odd_san;
    f->odd = pki_issue(p, &spec, f->inter);

    memset(&spec, 0, sizeof(spec));
    spec.cn = "rsa-self-signed";
    spec.rsa = 1;
    spec.serial_hex = "01";
    f->rsa_self = pki_issue(p, &spec, NULL);

    memset(&spec, 0, sizeof(spec));
    f->t0 = time(NULL);
    spec.now = f->t0;
    spec.validity_set = 1;
    spec.not_before = -86400L;
    spec.cn = "ten-and-a-half-days";
    spec.not_after = 10L * 86400 + 43200;
    f->days10_5 = pki_issue(p, &spec, f->inter);
    spec.cn = "twelve-hours";
    spec.not_after = 43200;
    f->hours12 = pki_issue(p, &spec, f->inter);
    spec.cn = "expired";
    spec.not_before = -10L * 86400;
    spec.not_after = -43200;
    f->expired = pki_issue(p, &spec, f->inter);

    if (amt_trust_make(&f->trust, p) != APR_SUCCESS
        || amt_trust_add_file(f->trust,
                              pki_write_file(p, dir, "ca.pem",
                                             pki_pem(p, f->root->x509)),
                              p, &err) != APR_SUCCESS)
        bail_out("cannot load the CA file: %s", tap_escape(err));
}

typedef struct {
    const char *name;
    const char *value;   /* NULL: must be NULL */
} var_case_t;

static void check_vars(apr_pool_t *p, const amt_client_cert_t *client,
                       int flags,
                       const char *what, const var_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        is_str(amt_var_lookup(p, client, cases[i].name, flags), cases[i].value,
               "%s: %s", what, cases[i].name);
}

static void test_lookup_rich(apr_pool_t *p, const fixture_t *f)
{
    amt_client_cert_t *client = make_client(p, f, 0, f->rich->x509,
                                            f->inter->x509);
    time_t not_after;
    struct tm tm = { 0 };
    const char *remain;

    is_str(amt_result_string(p, &client->result), "SUCCESS",
           "rich leaf verifies");

    tm.tm_year = 2051 - 1900;
    tm.tm_mon = 0;
    tm.tm_mday = 2;
    tm.tm_hour = 3;
    tm.tm_min = 4;
    tm.tm_sec = 5;
    not_after = timegm(&tm);
    remain = apr_psprintf(p, "%ld", (long)((not_after - time(NULL)) / 86400));

    {
        const var_case_t cases[] = {
            { "SSL_CLIENT_VERIFY", "SUCCESS" },
            { "SSL_CLIENT_M_VERSION", "3" },
            { "SSL_CLIENT_M_SERIAL", RICH_SERIAL_HEX },
            { "SSL_CLIENT_V_START", "Jan  5 09:08:07 2025 GMT" },
            { "SSL_CLIENT_V_END", "Jan  2 03:04:05 2051 GMT" },
            { "SSL_CLIENT_V_REMAIN", remain },
            { "SSL_CLIENT_S_DN", rich_dn_rfc2253 },
            { "SSL_CLIENT_I_DN", inter_dn_rfc2253 },
            { "SSL_CLIENT_S_DN_C", "US" },
            { "SSL_CLIENT_S_DN_ST", "California" },
            { "SSL_CLIENT_S_DN_SP", "California" },
            { "SSL_CLIENT_S_DN_L", "#Hash Town" },
            { "SSL_CLIENT_S_DN_O", "Acme, Inc." },
            { "SSL_CLIENT_S_DN_OU", "Dev" },
            { "SSL_CLIENT_S_DN_OU_0", "Dev" },
            { "SSL_CLIENT_S_DN_OU_00", "Dev" },
            { "SSL_CLIENT_S_DN_OU_1", "Ops\\09Tab" },
            { "SSL_CLIENT_S_DN_OU_2", NULL },
            { "SSL_CLIENT_S_DN_OU_x", NULL },
            /* ASN1_STRING_print_ex with escaping on doubles backslashes;
             * no RFC 2253 escaping in single attributes */
            { "SSL_CLIENT_S_DN_CN", "J\xc3\xb6hn \"JD\" +<x>;y\\\\z=w" },
            { "SSL_CLIENT_S_DN_CN_0", "J\xc3\xb6hn \"JD\" +<x>;y\\\\z=w" },
            { "SSL_CLIENT_S_DN_CN_RAW", "J\xf6hn \"JD\" +<x>;y\\\\z=w" },
            { "SSL_CLIENT_S_DN_CN_0_RAW", "J\xf6hn \"JD\" +<x>;y\\\\z=w" },
            { "SSL_CLIENT_S_DN_T", "Boss" },
            { "SSL_CLIENT_S_DN_D", "a/b" },
            { "SSL_CLIENT_S_DN_UID", "jdoe" },
            { "SSL_CLIENT_S_DN_SerialNumber", "SN123" },
            { "SSL_CLIENT_S_DN_Email", "john@example.com" },
            { "SSL_CLIENT_S_DN_emailAddress", NULL },
            { "SSL_CLIENT_S_DN_DC", NULL },
            { "SSL_CLIENT_S_DN_G", NULL },
            { "SSL_CLIENT_I_DN_CN", "\xc3\x9cn\xc3\xaf Zwischen CA" },
            { "SSL_CLIENT_I_DN_C", "DE" },
            { "SSL_CLIENT_I_DN_O", "Unit Test PKI" },
            { "SSL_CLIENT_I_DN_OU", NULL },
            { "SSL_CLIENT_SAN_DNS_0", "a.example.com" },
            { "SSL_CLIENT_SAN_DNS_1", "b.example.com" },
            { "SSL_CLIENT_SAN_DNS_2", NULL },
            { "SSL_CLIENT_SAN_Email_0", "john@example.com" },
            { "SSL_CLIENT_SAN_Email_1", "j2@example.com" },
            { "SSL_CLIENT_SAN_URI_0", RICH_URI },
            { "SSL_CLIENT_SAN_URI_1", NULL },
            { "SSL_CLIENT_SAN_OTHER_msUPN_0", "john@corp.example" },
            { "SSL_CLIENT_SAN_OTHER_msUPN_1", NULL },
            { "SSL_CLIENT_SAN_OTHER_dnsSRV_0", NULL },
            { "SSL_CLIENT_A_SIG", "ecdsa-with-SHA256" },
            { "SSL_CLIENT_A_KEY", "id-ecPublicKey" },
            { "SSL_CLIENT_CERT_RFC4523_CEA",
              "{ serialNumber " RICH_SERIAL_DEC ", issuer rdnSequence:\""
              "CN=\\C3\\9Cn\\C3\\AF Zwischen CA,O=Unit Test PKI,C=DE\" }" },
            { "SSL_CLIENT_CERT", hand_pem(p, f->rich->x509) },
            { "SSL_CLIENT_CERT_CHAIN_0", hand_pem(p, f->inter->x509) },
            { "SSL_CLIENT_CERT_CHAIN_1", NULL },
            { "SSL_CLIENT_CERT_SHA256", sha256_hex(p, f->rich->x509) },
            /* name case: SSL_ and CLIENT_ case-insensitive, rest not */
            { "ssl_client_S_DN_O", "Acme, Inc." },
            { "Ssl_Client_VERIFY", "SUCCESS" },
            /* mod_ssl (ssl_engine_vars.c): every keyword is compared
             * case-insensitively except the S/I letter, the DN attribute
             * name and the msUPN/dnsSRV words */
            { "SSL_CLIENT_s_dn_O", NULL },
            { "SSL_CLIENT_s_DN_O", NULL },
            { "SSL_CLIENT_S_DN_o", NULL },
            { "SSL_CLIENT_S_DN_ou", NULL },
            { "ssl_client_s_dn_O", NULL },
            { "SSL_CLIENT_S_dn_O", "Acme, Inc." },
            { "ssl_client_verify", "SUCCESS" },
            { "SSL_CLIENT_m_version", "3" },
            { "SSL_CLIENT_san_dns_0", "a.example.com" },
            { "SSL_CLIENT_SAN_email_1", "j2@example.com" },
            { "SSL_CLIENT_SAN_other_msUPN_0", "john@corp.example" },
            { "SSL_CLIENT_SAN_OTHER_MSUPN_0", NULL },
            { "SSL_CLIENT_cert_chain_0", hand_pem(p, f->inter->x509) },
            /* index forms */
            { "SSL_CLIENT_S_DN_OU_", "Dev" },
            { "SSL_CLIENT_S_DN_OU_01", "Ops\\09Tab" },
            { "SSL_CLIENT_SAN_DNS_0001", "b.example.com" },
            { "SSL_CLIENT_SAN_DNS_00001", NULL },
            { "SSL_CLIENT_SAN_DNS_", NULL },
            { "SSL_CLIENT_SAN_DNS_x", NULL },
            { "SSL_CLIENT_CERT_CHAIN_00", hand_pem(p, f->inter->x509) },
            { "SSL_CLIENT_CERT_CHAIN_x", NULL },
            /* unknown names */
            { "SSL_CLIENT_FOO", NULL },
            { "SSL_CLIENT_", NULL },
            { "SSL_SERVER_S_DN", NULL },
            { "HTTPS", NULL },
            { "", NULL },
        };

        check_vars(p, client, 0, "rich", cases,
                   sizeof(cases) / sizeof(cases[0]));
    }
    {
        const var_case_t cases[] = {
            { "SSL_CLIENT_S_DN", rich_dn_legacy },
            { "SSL_CLIENT_I_DN", inter_dn_legacy },
            { "SSL_CLIENT_S_DN_CN", "J\xc3\xb6hn \"JD\" +<x>;y\\\\z=w" },
        };

        check_vars(p, client, AMT_OPT_LEGACY_DN_FORMAT, "legacy", cases,
                   sizeof(cases) / sizeof(cases[0]));
    }

    /* the PEM really has the documented shape */
    {
        const char *pem = amt_var_lookup(p, client, "SSL_CLIENT_CERT", 0);
        int lines_ok = pem != NULL;
        const char *line = pem;

        while (line != NULL && *line) {
            const char *nl = strchr(line, '\n');

            if (nl == NULL || nl - line > 64)
                lines_ok = 0;
            line = nl ? nl + 1 : NULL;
        }
        ok(lines_ok && pem[strlen(pem) - 1] == '\n',
           "SSL_CLIENT_CERT: lines of at most 64 columns, final newline");
    }

    /* helpers */
    is_str(amt_cert_sha256_hex(p, f->rich->x509), sha256_hex(p, f->rich->x509),
           "amt_cert_sha256_hex");
    is_str(amt_cert_subject_cn(p, f->rich->x509),
           "J\xc3\xb6hn \"JD\" +<x>;y\\\\z=w", "amt_cert_subject_cn");
    is_str(amt_cert_subject_cn(p, f->plain->x509), "plain",
           "amt_cert_subject_cn plain");
    {
        const char *log = amt_cert_subject_for_log(p, f->rich->x509, 1000);
        const char *cut = amt_cert_subject_for_log(p, f->rich->x509, 20);
        int ascii = log != NULL;

        for (const char *c = log; c && *c; c++) {
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                ascii = 0;
        }
        ok(ascii, "subject for log: printable ASCII only (%s)",
           tap_escape(log));
        contains_str(log, "CN=J\\C3\\B6hn", "subject for log: UTF-8 escaped");
        contains_str(log, "OU=Ops\\09Tab", "subject for log: tab escaped");
        ok(cut != NULL && strlen(cut) <= 23
           && strcmp(cut + strlen(cut) - 3, "...") == 0,
           "subject for log: cut at 20 bytes + \"...\" (%s)",
           tap_escape(cut));
        is_str(amt_cert_subject_for_log(p, f->plain->x509, 100), "CN=plain",
               "subject for log: short DN unchanged");
    }
}

static void test_lookup_odd(apr_pool_t *p, const fixture_t *f)
{
    amt_client_cert_t *client = make_client(p, f, 0, f->odd->x509,
                                            f->inter->x509);
    apr_table_t *env = apr_table_make(p, 8);
    const var_case_t cases[] = {
        { "SSL_CLIENT_VERIFY", "SUCCESS" },
        { "SSL_CLIENT_S_DN", odd_dn_rfc2253 },
        { "SSL_CLIENT_S_DN_O", " Lead and trail " },
        { "SSL_CLIENT_S_DN_O_1", "Bmp \xc3\x96rg" },
        { "SSL_CLIENT_S_DN_O_1_RAW", "Bmp \xd6rg" },
        { "SSL_CLIENT_S_DN_OU", "#hash" },
        { "SSL_CLIENT_S_DN_OU_1", "Del\\7F" },
        { "SSL_CLIENT_S_DN_CN", "multi" },
        { "SSL_CLIENT_S_DN_UID", "mv1" },
        { "SSL_CLIENT_SAN_OTHER_msUPN_0", "upn@corp.example" },
        { "SSL_CLIENT_SAN_OTHER_msUPN_1", NULL },
        { "SSL_CLIENT_SAN_OTHER_dnsSRV_0", "_https.example.com" },
        { "SSL_CLIENT_SAN_URI_0", "https://odd.example/" },
        { "SSL_CLIENT_SAN_DNS_0", "odd.example" },
        { "SSL_CLIENT_SAN_Email_0", NULL },
    };

    check_vars(p, client, 0, "odd", cases, sizeof(cases) / sizeof(cases[0]));
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_S_DN", AMT_OPT_LEGACY_DN_FORMAT),
           odd_dn_legacy, "odd legacy: S_DN");
    {
        const char *serial = amt_var_lookup(p, client, "SSL_CLIENT_M_SERIAL",
                                            0);

        ok(serial != NULL && *serial && strspn(serial, "0123456789ABCDEF")
           == strlen(serial) && strlen(serial) % 2 == 0,
           "odd: M_SERIAL is upper-case hex, 2 digits per byte (%s)",
           tap_escape(serial));
    }

    amt_vars_export(env, p, client, AMT_OPT_STD_ENV_VARS);
    is_str(apr_table_get(env, "SSL_CLIENT_S_DN_O"), " Lead and trail ",
           "odd export: S_DN_O keeps its spaces");
    is_str(apr_table_get(env, "SSL_CLIENT_S_DN_O_1"), "Bmp \xc3\x96rg",
           "odd export: S_DN_O_1 (BMPString as UTF-8)");
    is_str(apr_table_get(env, "SSL_CLIENT_S_DN_UID"), "mv1",
           "odd export: multi-valued RDN value");
    is_str(apr_table_get(env, "SSL_CLIENT_SAN_OTHER_msUPN_0"),
           "upn@corp.example", "odd export: msUPN (UTF8String only)");
    is_str(apr_table_get(env, "SSL_CLIENT_SAN_OTHER_msUPN_1"), NULL,
           "odd export: no second msUPN");
    is_str(apr_table_get(env, "SSL_CLIENT_SAN_OTHER_dnsSRV_0"), NULL,
           "odd export: dnsSRV is lookup only for the client");
    is_str(apr_table_get(env, "SSL_CLIENT_SAN_URI_0"), "https://odd.example/",
           "odd export: SAN_URI_0");
}

static void test_lookup_other(apr_pool_t *p, const fixture_t *f)
{
    amt_client_cert_t *client;
    const char *s;

    /* RSA, self-signed: GENEROUS under optional_no_ca */
    client = make_client(p, f, 1, f->rsa_self->x509, NULL);
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_VERIFY", 0), "GENEROUS",
           "rsa self-signed: GENEROUS");
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_A_SIG", 0),
           "sha256WithRSAEncryption", "rsa: A_SIG");
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_A_KEY", 0), "rsaEncryption",
           "rsa: A_KEY");
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_M_SERIAL", 0), "01",
           "serial 01");
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_S_DN_CN", 0),
           "rsa-self-signed", "GENEROUS publishes identity");
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_CERT_CHAIN_0", 0), NULL,
           "nothing sent after the leaf: no CHAIN_0");
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_SAN_DNS_0", 0), NULL,
           "no SAN: SAN_DNS_0 NULL");

    /* V_REMAIN: floor of whole days, 0 when expired */
    client = make_client(p, f, 0, f->days10_5->x509, f->inter->x509);
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_V_REMAIN", 0), "10",
           "V_REMAIN 10.5 days -> 10");
    client = make_client(p, f, 0, f->hours12->x509, f->inter->x509);
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_V_REMAIN", 0), "0",
           "V_REMAIN 12 hours -> 0");
    client = forced_client(p, f->expired->x509, AMT_OUTCOME_SUCCESS);
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_V_REMAIN", 0), "0",
           "V_REMAIN expired -> 0");

    /* V_START / V_END of offset certificates, formatted by hand */
    client = make_client(p, f, 0, f->days10_5->x509, f->inter->x509);
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_V_START", 0),
           hand_time(p, f->t0 - 86400), "V_START of now-1d");
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_V_END", 0),
           hand_time(p, f->t0 + 10L * 86400 + 43200), "V_END of now+10.5d");
    (void)s;

    /* FAILED and NONE: only SSL_CLIENT_VERIFY */
    client = make_client(p, f, 0, f->expired->x509, f->inter->x509);
    is_str(amt_var_lookup(p, client, "SSL_CLIENT_VERIFY", 0),
           "FAILED:certificate has expired", "expired: VERIFY FAILED:<text>");
    {
        const char *const identity[] = {
            "SSL_CLIENT_S_DN", "SSL_CLIENT_S_DN_CN", "SSL_CLIENT_I_DN",
            "SSL_CLIENT_I_DN_CN", "SSL_CLIENT_M_SERIAL",
            "SSL_CLIENT_M_VERSION", "SSL_CLIENT_V_END", "SSL_CLIENT_V_REMAIN",
            "SSL_CLIENT_CERT", "SSL_CLIENT_CERT_CHAIN_0",
            "SSL_CLIENT_CERT_SHA256", "SSL_CLIENT_A_SIG",
            "SSL_CLIENT_CERT_RFC4523_CEA", "SSL_CLIENT_S_DN_CN_RAW"
        };

        for (size_t i = 0; i < sizeof(identity) / sizeof(identity[0]); i++)
            is_str(amt_var_lookup(p, client, identity[i], 0), NULL,
                   "FAILED: %s is NULL", identity[i]);
        client = make_client(p, f, 0, f->rich->x509, NULL);
        is_str(amt_var_lookup(p, client, "SSL_CLIENT_VERIFY", 0),
               "FAILED:unable to get local issuer certificate",
               "missing intermediate: FAILED");
        is_str(amt_var_lookup(p, client, "SSL_CLIENT_S_DN_CN", 0), NULL,
               "missing intermediate: no CN");
        is_str(amt_var_lookup(p, client, "SSL_CLIENT_SAN_DNS_0", 0), NULL,
               "missing intermediate: no SAN");

        client = apr_pcalloc(p, sizeof(*client));
        client->result.outcome = AMT_OUTCOME_NONE;
        client->result.error_depth = -1;
        is_str(amt_var_lookup(p, client, "SSL_CLIENT_VERIFY", 0), "NONE",
               "no certificate: NONE");
        for (size_t i = 0; i < sizeof(identity) / sizeof(identity[0]); i++)
            is_str(amt_var_lookup(p, client, identity[i], 0), NULL,
                   "NONE: %s is NULL", identity[i]);

        /* a chain with a NONE result still publishes nothing */
        client = forced_client(p, f->plain->x509, AMT_OUTCOME_NONE);
        is_str(amt_var_lookup(p, client, "SSL_CLIENT_S_DN_CN", 0), NULL,
               "NONE with a chain: no CN");
        client = forced_client(p, f->plain->x509, AMT_OUTCOME_FAILED);
        is_str(amt_var_lookup(p, client, "SSL_CLIENT_S_DN_CN", 0), NULL,
               "FAILED set by hand: no CN");
    }
}

/* counts the entries of env named key (set semantics: must be 1) */
static int count_key(const apr_table_t *env, const char *key)
{
    const apr_array_header_t *arr = apr_table_elts(env);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int n = 0;

    for (int i = 0; i < arr->nelts; i++) {
        if (strcmp(e[i].key, key) == 0)
            n++;
    }
    return n;
}

/* every SSL_CLIENT_* key of env must be in allowed (NULL-terminated) */
static void only_these(const apr_table_t *env, const char *const *allowed,
                       const char *what)
{
    const apr_array_header_t *arr = apr_table_elts(env);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const char *extra = NULL;

    for (int i = 0; i < arr->nelts; i++) {
        int found = 0;

        if (strncasecmp(e[i].key, "SSL_CLIENT_", 11) != 0)
            continue;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, e[i].key) == 0)
                found = 1;
        }
        if (!found)
            extra = e[i].key;
    }
    ok(extra == NULL, "%s: no other SSL_CLIENT_ variable (found %s)", what,
       extra ? extra : "none");
}

static void test_export(apr_pool_t *p, const fixture_t *f)
{
    amt_client_cert_t *good = make_client(p, f, 0, f->rich->x509,
                                          f->inter->x509);
    amt_client_cert_t *failed = make_client(p, f, 0, f->expired->x509,
                                   f->inter->x509);
    amt_client_cert_t none = { NULL, { AMT_OUTCOME_NONE, 0, -1, NULL, 0, AMT_FAIL_NONE } };
    apr_table_t *env;

    /* StdEnvVars */
    env = apr_table_make(p, 8);
    apr_table_set(env, "SSL_CLIENT_VERIFY", "NONE");   /* mod_ssl's */
    apr_table_set(env, "OTHER", "kept");
    amt_vars_export(env, p, good, AMT_OPT_STD_ENV_VARS);
    {
        const var_case_t cases[] = {
            { "SSL_CLIENT_VERIFY", "SUCCESS" },
            { "SSL_CLIENT_M_VERSION", "3" },
            { "SSL_CLIENT_M_SERIAL", RICH_SERIAL_HEX },
            { "SSL_CLIENT_V_START", "Jan  5 09:08:07 2025 GMT" },
            { "SSL_CLIENT_V_END", "Jan  2 03:04:05 2051 GMT" },
            { "SSL_CLIENT_S_DN", rich_dn_rfc2253 },
            { "SSL_CLIENT_I_DN", inter_dn_rfc2253 },
            { "SSL_CLIENT_A_SIG", "ecdsa-with-SHA256" },
            { "SSL_CLIENT_A_KEY", "id-ecPublicKey" },
            { "SSL_CLIENT_S_DN_OU", "Dev" },
            { "SSL_CLIENT_S_DN_OU_1", "Ops\\09Tab" },
            { "SSL_CLIENT_S_DN_OU_0", NULL },
            { "SSL_CLIENT_S_DN_OU_2", NULL },
            { "SSL_CLIENT_S_DN_CN", "J\xc3\xb6hn \"JD\" +<x>;y\\\\z=w" },
            { "SSL_CLIENT_S_DN_CN_RAW", NULL },
            { "SSL_CLIENT_S_DN_C", "US" },
            { "SSL_CLIENT_S_DN_ST", "California" },
            { "SSL_CLIENT_S_DN_SP", NULL },
            { "SSL_CLIENT_S_DN_L", "#Hash Town" },
            { "SSL_CLIENT_S_DN_O", "Acme, Inc." },
            { "SSL_CLIENT_S_DN_T", "Boss" },
            { "SSL_CLIENT_S_DN_D", "a/b" },
            { "SSL_CLIENT_S_DN_UID", "jdoe" },
            { "SSL_CLIENT_S_DN_SerialNumber", "SN123" },
            { "SSL_CLIENT_S_DN_Email", "john@example.com" },
            { "SSL_CLIENT_S_DN_DC", NULL },
            { "SSL_CLIENT_I_DN_CN", "\xc3\x9cn\xc3\xaf Zwischen CA" },
            { "SSL_CLIENT_I_DN_O", "Unit Test PKI" },
            { "SSL_CLIENT_I_DN_C", "DE" },
            { "SSL_CLIENT_SAN_DNS_0", "a.example.com" },
            { "SSL_CLIENT_SAN_DNS_1", "b.example.com" },
            { "SSL_CLIENT_SAN_Email_0", "john@example.com" },
            { "SSL_CLIENT_SAN_Email_1", "j2@example.com" },
            { "SSL_CLIENT_SAN_OTHER_msUPN_0", "john@corp.example" },
            { "SSL_CLIENT_SAN_URI_0", RICH_URI },
            { "SSL_CLIENT_CERT_SHA256", sha256_hex(p, f->rich->x509) },
            { "SSL_CLIENT_CERT_RFC4523_CEA",
              "{ serialNumber " RICH_SERIAL_DEC ", issuer rdnSequence:\""
              "CN=\\C3\\9Cn\\C3\\AF Zwischen CA,O=Unit Test PKI,C=DE\" }" },
            { "SSL_CLIENT_CERT", NULL },
            { "SSL_CLIENT_CERT_CHAIN_0", NULL },
            { "OTHER", "kept" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            is_str(apr_table_get(env, cases[i].name), cases[i].value,
                   "export std: %s", cases[i].name);
        ok(apr_table_get(env, "SSL_CLIENT_V_REMAIN") != NULL,
           "export std: V_REMAIN set");
        is_int(count_key(env, "SSL_CLIENT_VERIFY"), 1,
               "export std: VERIFY replaced, not added");
    }
    {
        const apr_array_header_t *arr = apr_table_elts(env);
        const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
        const char *bad = NULL;

        for (int i = 0; i < arr->nelts; i++) {
            size_t n = strlen(e[i].key);

            if (e[i].val == NULL || *e[i].val == '\0')
                bad = apr_pstrcat(p, e[i].key, " is empty", NULL);
            else if ((strncmp(e[i].key, "SSL_CLIENT_S_DN_", 16) == 0
                      || strncmp(e[i].key, "SSL_CLIENT_I_DN_", 16) == 0)
                     && n > 2 && strcmp(e[i].key + n - 2, "_0") == 0)
                bad = apr_pstrcat(p, e[i].key, " has _0", NULL);
        }
        ok(bad == NULL, "export std: no empty value, no DN _0 name (%s)",
           bad ? bad : "ok");
    }

    /* LegacyDNStringFormat */
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, good,
                    AMT_OPT_STD_ENV_VARS | AMT_OPT_LEGACY_DN_FORMAT);
    is_str(apr_table_get(env, "SSL_CLIENT_S_DN"), rich_dn_legacy,
           "export legacy: S_DN");
    is_str(apr_table_get(env, "SSL_CLIENT_I_DN"), inter_dn_legacy,
           "export legacy: I_DN");

    /* StdEnvVars + ExportCertData */
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, good,
                    AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA);
    is_str(apr_table_get(env, "SSL_CLIENT_CERT"), hand_pem(p, f->rich->x509),
           "export certdata: SSL_CLIENT_CERT");
    is_str(apr_table_get(env, "SSL_CLIENT_CERT_CHAIN_0"),
           hand_pem(p, f->inter->x509), "export certdata: CHAIN_0");
    is_str(apr_table_get(env, "SSL_CLIENT_CERT_CHAIN_1"), NULL,
           "export certdata: no CHAIN_1");
    is_str(apr_table_get(env, "SSL_CLIENT_VERIFY"), "SUCCESS",
           "export certdata: VERIFY");

    /* ExportCertData alone */
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, good, AMT_OPT_EXPORT_CERT_DATA);
    is_str(apr_table_get(env, "SSL_CLIENT_CERT"), hand_pem(p, f->rich->x509),
           "export certdata only: SSL_CLIENT_CERT");
    {
        const char *const allowed[] = {
            "SSL_CLIENT_CERT", "SSL_CLIENT_CERT_CHAIN_0", NULL
        };

        only_these(env, allowed, "export certdata only");
    }

    /* no flags: nothing */
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, good, 0);
    is_int(apr_table_elts(env)->nelts, 0, "export without flags: nothing");

    /* FAILED */
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, failed, AMT_OPT_STD_ENV_VARS);
    is_str(apr_table_get(env, "SSL_CLIENT_VERIFY"),
           "FAILED:certificate has expired", "export failed: VERIFY");
    {
        const char *const allowed[] = { "SSL_CLIENT_VERIFY", NULL };

        only_these(env, allowed, "export failed std");
    }
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, failed,
                    AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA);
    is_str(apr_table_get(env, "SSL_CLIENT_VERIFY"),
           "FAILED:certificate has expired", "export failed+certdata: VERIFY");
    is_str(apr_table_get(env, "SSL_CLIENT_CERT"), "",
           "export failed+certdata: SSL_CLIENT_CERT empty");
    {
        const char *const allowed[] = {
            "SSL_CLIENT_VERIFY", "SSL_CLIENT_CERT", NULL
        };

        only_these(env, allowed, "export failed std+certdata");
    }

    /* NONE */
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, &none,
                    AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA);
    is_str(apr_table_get(env, "SSL_CLIENT_VERIFY"), "NONE",
           "export none: VERIFY");
    is_str(apr_table_get(env, "SSL_CLIENT_CERT"), "",
           "export none: SSL_CLIENT_CERT empty");
    {
        const char *const allowed[] = {
            "SSL_CLIENT_VERIFY", "SSL_CLIENT_CERT", NULL
        };

        only_these(env, allowed, "export none");
    }

    /* GENEROUS exports the identity */
    env = apr_table_make(p, 8);
    amt_vars_export(env, p, make_client(p, f, 1, f->rsa_self->x509, NULL),
                    AMT_OPT_STD_ENV_VARS);
    is_str(apr_table_get(env, "SSL_CLIENT_VERIFY"), "GENEROUS",
           "export generous: VERIFY");
    is_str(apr_table_get(env, "SSL_CLIENT_S_DN_CN"), "rsa-self-signed",
           "export generous: S_DN_CN");
    is_str(apr_table_get(env, "SSL_CLIENT_A_KEY"), "rsaEncryption",
           "export generous: A_KEY");
}

/* amt_vars_each: the same variables as amt_vars_export, each with the kind
 * the result cache relies on (amt_entry.c stores by kind) */
typedef struct {
    apr_pool_t *p;
    apr_table_t *values;
    apr_table_t *kinds;         /* name -> kind, as a number */
} each_log_t;

static void log_each(void *baton, const char *name, const char *value,
                     amt_var_kind_e kind)
{
    each_log_t *log = baton;

    apr_table_set(log->values, name, value ? value : "(null)");
    apr_table_set(log->kinds, name, apr_itoa(log->p, (int)kind));
}

static int same_in(void *baton, const char *key, const char *value)
{
    const apr_table_t *other = baton;
    const char *v = apr_table_get(other, key);

    if (v == NULL || strcmp(v, value) != 0) {
        diag("each/export differ at %s", key);
        return 0;
    }
    return 1;
}

static void test_each(apr_pool_t *p, const fixture_t *f)
{
    amt_client_cert_t *good = make_client(p, f, 0, f->rich->x509,
                                          f->inter->x509);
    int flags = AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA;
    apr_table_t *env = apr_table_make(p, 40);
    each_log_t log;
    /* what the result cache relies on (amt_entry.c stores by kind) */
    static const struct { const char *name; amt_var_kind_e kind; } kinds[] = {
        { "SSL_CLIENT_VERIFY",       AMT_VAR_RESULT },
        { "SSL_CLIENT_V_REMAIN",     AMT_VAR_CLOCK },
        { "SSL_CLIENT_S_DN",         AMT_VAR_DN_FORMAT },
        { "SSL_CLIENT_I_DN",         AMT_VAR_DN_FORMAT },
        { "SSL_CLIENT_CERT",         AMT_VAR_CERT_DATA },
        { "SSL_CLIENT_CERT_CHAIN_0", AMT_VAR_CERT_DATA },
        { "SSL_CLIENT_S_DN_CN",      AMT_VAR_PLAIN },
        { "SSL_CLIENT_M_SERIAL",     AMT_VAR_PLAIN },
    };
    size_t i;

    log.p = p;
    log.values = apr_table_make(p, 40);
    log.kinds = apr_table_make(p, 40);
    amt_vars_export(env, p, good, flags);
    amt_vars_each(p, good, flags, log_each, &log);
    is_int(apr_table_elts(log.values)->nelts, apr_table_elts(env)->nelts,
           "each: as many variables as the export");
    ok(apr_table_do(same_in, log.values, env, NULL),
       "each: the export's names and values");
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *k = apr_table_get(log.kinds, kinds[i].name);
        is_int(k ? atoi(k) : -1, kinds[i].kind, "each: %s is of kind %d",
               kinds[i].name, (int)kinds[i].kind);
    }
    is_str(amt_var_remain(p, 86400 * 3 + 5, 0), "3",
           "remain: whole days, rounded down");
    is_str(amt_var_remain(p, 100, 200), "0", "remain: 0 once expired");
}

/* amt_var_name_known(): the names lookups answer, and only those (the
 * spellings mod_ssl accepts) */
static void test_name_known(void)
{
    static const char *const known[] = {
        "SSL_CLIENT_VERIFY", "ssl_client_verify", "SSL_CLIENT_S_DN",
        "SSL_CLIENT_I_DN", "SSL_CLIENT_S_DN_CN", "SSL_CLIENT_S_DN_CN_1",
        "SSL_CLIENT_S_DN_CN_", "SSL_CLIENT_S_DN_OU_2_RAW",
        "SSL_CLIENT_I_DN_Email", "SSL_CLIENT_S_DN_UID", "SSL_CLIENT_M_SERIAL",
        "SSL_CLIENT_V_REMAIN", "SSL_CLIENT_CERT", "SSL_CLIENT_CERT_CHAIN_0",
        "SSL_CLIENT_SAN_DNS_0", "SSL_CLIENT_SAN_Email_12",
        "SSL_CLIENT_SAN_OTHER_msUPN_0", "SSL_CLIENT_SAN_URI_3",
        "SSL_CLIENT_CERT_RFC4523_CEA", "SSL_CLIENT_A_KEY", NULL
    };
    static const char *const unknown[] = {
        "SSL_CLIENT_", "SSL_CLIENT_S_DN_XX", "SSL_CLIENT_S_DN_CN_x",
        "SSL_CLIENT_s_DN_CN", "SSL_CLIENT_S_DN_cn", "SSL_CLIENT_SAN_DNS",
        "SSL_CLIENT_SAN_DNS_12345", "SSL_CLIENT_SAN_OTHER_msupn_0",
        "SSL_CLIENT_CERT_CHAIN_", "SSL_CLIENT_CERT_CHAIN_x",
        "SSL_SERVER_S_DN_CN", "HTTP_HOST", "SSL_CLIENT_S_DN_CN_1234567890",
        "SSL_CLIENT_VERIFYX", NULL
    };
    int i, all = 1;

    for (i = 0; known[i]; i++) {
        if (!amt_var_name_known(known[i])) {
            diag("not known: %s", known[i]);
            all = 0;
        }
    }
    ok(all, "amt_var_name_known: every name lookups answer");
    for (i = 0, all = 1; unknown[i]; i++) {
        if (amt_var_name_known(unknown[i])) {
            diag("known: %s", unknown[i]);
            all = 0;
        }
    }
    ok(all, "amt_var_name_known: no other name");
    ok(!amt_var_name_known(NULL), "amt_var_name_known: NULL");
}

int main(void)
{
    apr_pool_t *p;
    fixture_t f;
    int rc;

    apr_initialize();
    apr_pool_create(&p, NULL);

    make_fixture(p, &f);
    test_lookup_rich(p, &f);
    test_lookup_odd(p, &f);
    test_lookup_other(p, &f);
    test_export(p, &f);
    test_each(p, &f);
    test_name_known();

    rc = done_testing();
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
