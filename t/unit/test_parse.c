/*
 * test_parse.c - the strict directive value parsers (amt_parse_*).
 */
#include <limits.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "amt_parse.h"
#include "amt_error.h"
#include "tap.h"

typedef struct {
    const char *word;
    int ok;
    amt_verify_mode_e mode;
} mode_case_t;

static const mode_case_t mode_cases[] = {
    { "none", 1, AMT_VERIFY_NONE },
    { "NONE", 1, AMT_VERIFY_NONE },
    { "None", 1, AMT_VERIFY_NONE },
    { "optional", 1, AMT_VERIFY_OPTIONAL },
    { "OPTIONAL", 1, AMT_VERIFY_OPTIONAL },
    { "require", 1, AMT_VERIFY_REQUIRE },
    { "Require", 1, AMT_VERIFY_REQUIRE },
    { "optional_no_ca", 1, AMT_VERIFY_OPTIONAL_NO_CA },
    { "Optional_No_CA", 1, AMT_VERIFY_OPTIONAL_NO_CA },
    { "off", 1, AMT_VERIFY_NONE },
    { "OFF", 1, AMT_VERIFY_NONE },
    { "on", 1, AMT_VERIFY_REQUIRE },
    { "On", 1, AMT_VERIFY_REQUIRE },
    { "", 0, 0 },
    { "yes", 0, 0 },
    { "required", 0, 0 },
    { "optional-no-ca", 0, 0 },
    { "optional_no", 0, 0 },
    { "optional_no_ca_x", 0, 0 },
    { "require ", 0, 0 },
    { " none", 0, 0 },
    { "no", 0, 0 },
};

static void test_verify_mode(apr_pool_t *p)
{
    for (size_t i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
        const mode_case_t *c = &mode_cases[i];
        amt_verify_mode_e mode = AMT_VERIFY_UNSET;
        const char *err = NULL;
        apr_status_t rv = amt_parse_verify_mode(&mode, p, c->word, &err);

        if (c->ok) {
            is_int(rv, APR_SUCCESS, "verify mode '%s' accepted", c->word);
            is_int(mode, c->mode, "verify mode '%s' value", c->word);
        }
        else {
            is_int(rv, AMT_EBADVALUE, "verify mode '%s' rejected", c->word);
            ok(err != NULL && strstr(err, "none") && strstr(err, "optional")
               && strstr(err, "require") && strstr(err, "optional_no_ca"),
               "verify mode '%s': message lists the accepted words (%s)",
               c->word, tap_escape(err));
        }
    }
}

typedef struct {
    const char *word;
    int min, max;
    int ok;
    int value;
} int_case_t;

static const int_case_t int_cases[] = {
    { "5", 0, 32, 1, 5 },
    { "0", 0, 32, 1, 0 },
    { "32", 0, 32, 1, 32 },
    { "1", 1, 1, 1, 1 },
    { "2147483647", 0, INT_MAX, 1, INT_MAX },
    { "-5", -10, 10, 1, -5 },
    { "33", 0, 32, 0, 0 },
    { "0", 1, 32, 0, 0 },
    { "5x", 0, 32, 0, 0 },
    { "x5", 0, 32, 0, 0 },
    { "", 0, 32, 0, 0 },
    { "-1", 0, 32, 0, 0 },
    { "+5", 0, 32, 0, 0 },
    { " 5", 0, 32, 0, 0 },
    { "5 ", 0, 32, 0, 0 },
    { "5.0", 0, 32, 0, 0 },
    { "0x10", 0, 32, 0, 0 },
    { "99999999999", 0, INT_MAX, 0, 0 },
    { "2147483648", 0, INT_MAX, 0, 0 },
    { "-11", -10, 10, 0, 0 },
    { "-", -10, 10, 0, 0 },
};

static void test_int(apr_pool_t *p)
{
    for (size_t i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++) {
        const int_case_t *c = &int_cases[i];
        int out = -777;
        const char *err = NULL;
        apr_status_t rv = amt_parse_int(&out, p, c->word, c->min, c->max,
                                        &err);

        if (c->ok) {
            is_int(rv, APR_SUCCESS, "int '%s' in [%d,%d] accepted", c->word,
                   c->min, c->max);
            is_int(out, c->value, "int '%s' value", c->word);
        }
        else {
            is_int(rv, AMT_EBADVALUE, "int '%s' in [%d,%d] rejected",
                   c->word, c->min, c->max);
            ok(err != NULL && *err != '\0', "int '%s': has a message (%s)",
               c->word, tap_escape(err));
        }
    }
}

static void test_header_name(apr_pool_t *p)
{
    char max[129], over[130];
    const struct {
        const char *word;
        int ok;
    } cases[] = {
        { "X-Amzn-Mtls-Clientcert", 1 },
        { "x-client-cert", 1 },
        { "a", 1 },
        { "!#$%&'*+-.^_`|~09AZaz", 1 },
        { max, 1 },
        { over, 0 },
        { "", 0 },
        { "X Cert", 0 },
        { "X-Cert:", 0 },
        { ":authority", 0 },
        { "X\tCert", 0 },
        { "X-Cert\r\n", 0 },
        { "X-C\xc3\xa9rt", 0 },
        { "x,y", 0 },
        { "x\"y", 0 },
        { "x/y", 0 },
        { "(x)", 0 },
        { "x=y", 0 },
        { "Host", 0 },
        { "authorization", 0 },
        { "COOKIE", 0 },
        { "Content-Length", 0 },
        { "X-Forwarded-For", 0 },
        { "X-Forwarded-Formula", 1 },
    };

    memset(max, 'h', 128);
    max[128] = '\0';
    memset(over, 'h', 129);
    over[129] = '\0';
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *err = NULL;
        apr_status_t rv = amt_parse_header_name(p, cases[i].word, &err);
        const char *shown = strlen(cases[i].word) > 40
            ? apr_psprintf(p, "%" APR_SIZE_T_FMT " x 'h'",
                           strlen(cases[i].word))
            : tap_escape(cases[i].word);

        if (cases[i].ok) {
            is_int(rv, APR_SUCCESS, "header name %s accepted", shown);
        }
        else {
            is_int(rv, AMT_EBADVALUE, "header name %s rejected", shown);
            ok(err != NULL && *err != '\0', "header name %s: has a message",
               shown);
        }
    }
}

typedef struct {
    const char *word;
    int ok;
    int flag;
    char sign;
    const char *err_has;      /* on failure, the message contains this */
} opt_case_t;

static const opt_case_t opt_cases[] = {
    { "StdEnvVars", 1, AMT_OPT_STD_ENV_VARS, 0, NULL },
    { "+StdEnvVars", 1, AMT_OPT_STD_ENV_VARS, '+', NULL },
    { "-StdEnvVars", 1, AMT_OPT_STD_ENV_VARS, '-', NULL },
    { "stdenvvars", 1, AMT_OPT_STD_ENV_VARS, 0, NULL },
    { "+ExportCertData", 1, AMT_OPT_EXPORT_CERT_DATA, '+', NULL },
    { "-EXPORTCERTDATA", 1, AMT_OPT_EXPORT_CERT_DATA, '-', NULL },
    { "LegacyDNStringFormat", 1, AMT_OPT_LEGACY_DN_FORMAT, 0, NULL },
    { "+legacydnstringformat", 1, AMT_OPT_LEGACY_DN_FORMAT, '+', NULL },
    { "FakeBasicAuth", 1, AMT_OPT_FAKE_BASIC_AUTH, 0, NULL },
    { "+FakeBasicAuth", 1, AMT_OPT_FAKE_BASIC_AUTH, '+', NULL },
    { "-fakebasicauth", 1, AMT_OPT_FAKE_BASIC_AUTH, '-', NULL },
    { "Unknown", 0, 0, 0, "StdEnvVars" },
    { "+StrictRequire", 0, 0, 0, "StdEnvVars" },
    { "", 0, 0, 0, NULL },
    { "+", 0, 0, 0, NULL },
    { "-", 0, 0, 0, NULL },
    { "++StdEnvVars", 0, 0, 0, NULL },
    { "+-StdEnvVars", 0, 0, 0, NULL },
    { "+ StdEnvVars", 0, 0, 0, NULL },
    { "StdEnvVars+", 0, 0, 0, NULL },
    { "StdEnvVarsX", 0, 0, 0, NULL },
};

static void test_option(apr_pool_t *p)
{
    for (size_t i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
        const opt_case_t *c = &opt_cases[i];
        int flag = -1;
        char sign = 'x';
        const char *err = NULL;
        apr_status_t rv = amt_parse_option(&flag, &sign, p, c->word, &err);

        if (c->ok) {
            is_int(rv, APR_SUCCESS, "option '%s' accepted", c->word);
            is_int(flag, c->flag, "option '%s' flag", c->word);
            is_int(sign, c->sign, "option '%s' sign", c->word);
        }
        else {
            is_int(rv, AMT_EBADVALUE, "option '%s' rejected", c->word);
            if (c->err_has != NULL)
                contains_str(err, c->err_has, "option '%s': message",
                             c->word);
            else
                ok(err != NULL && *err != '\0', "option '%s': has a message",
                   c->word);
        }
    }
}

/* AlbMtlsTrustedProxy addresses */
typedef struct {
    const char *word;
    int good;
    const char *inside;         /* an address the subnet holds, or NULL */
    const char *outside;        /* an address it does not hold, or NULL */
} proxy_case_t;

static const proxy_case_t proxy_cases[] = {
    { "10.0.0.0/8",       1, "10.200.1.2",  "11.0.0.1" },
    { "192.168.1.7",      1, "192.168.1.7", "192.168.1.8" },
    { "172.16.0.0/12",    1, "172.31.255.1", "172.32.0.1" },
    { "::1",              1, "::1",         "::2" },
    { "fc00::/7",         1, "fd12::1",     "fe80::1" },
    { "10.0.0.0/",        0, NULL, NULL },
    { "10.0.0.0/8x",      0, NULL, NULL },
    { "10.0.0.0/-8",      0, NULL, NULL },
    { "10.0.0.0/33",      0, NULL, NULL },
    { "not-an-address",   0, NULL, NULL },
    { "",                 0, NULL, NULL },
};

static void test_proxy(apr_pool_t *p)
{
    size_t i;

    for (i = 0; i < sizeof(proxy_cases) / sizeof(proxy_cases[0]); i++) {
        const proxy_case_t *c = &proxy_cases[i];
        apr_ipsubnet_t *sub = NULL;
        const char *err = NULL;
        apr_status_t rv = amt_parse_proxy(&sub, p, c->word, &err);

        if (!c->good) {
            ok(rv == AMT_EBADVALUE && err != NULL && strstr(err, "is not an "
               "address or addr/bits") != NULL,
               "proxy '%s' refused (%s)", c->word, err ? err : "no message");
            continue;
        }
        ok(rv == APR_SUCCESS, "proxy '%s' accepted", c->word);
        if (rv == APR_SUCCESS) {
            apr_sockaddr_t *in, *out;
                        in = out = NULL;
            apr_sockaddr_info_get(&in, c->inside, APR_UNSPEC, 0, 0, p);
            apr_sockaddr_info_get(&out, c->outside, APR_UNSPEC, 0, 0, p);
            ok(in && apr_ipsubnet_test(sub, in), "proxy '%s' holds %s",
               c->word, c->inside);
            ok(out && !apr_ipsubnet_test(sub, out), "proxy '%s' does not "
               "hold %s", c->word, c->outside);
        }
    }
}

/* AlbMtlsCache values */
static void test_cache(apr_pool_t *p)
{
    amt_cache_spec_t spec;
    const char *err = NULL;

    ok(amt_parse_cache(&spec, p, "none", &err) == APR_SUCCESS
       && spec.kind == AMT_CACHE_NONE, "cache none");
    ok(amt_parse_cache(&spec, p, "NONE", &err) == APR_SUCCESS
       && spec.kind == AMT_CACHE_NONE, "cache NONE (case-insensitive)");
    ok(amt_parse_cache(&spec, p, "process", &err) == APR_SUCCESS
       && spec.kind == AMT_CACHE_PROCESS
       && spec.bytes == AMT_CACHE_DEFAULT_BYTES, "cache process: default size");
    ok(amt_parse_cache(&spec, p, "Process:65536", &err) == APR_SUCCESS
       && spec.kind == AMT_CACHE_PROCESS && spec.bytes == 65536,
       "cache process:65536");
    ok(amt_parse_cache(&spec, p, "process:16384", &err) == APR_SUCCESS
       && spec.bytes == 16384, "cache process: the smallest size");
    ok(amt_parse_cache(&spec, p, "process:2147483648", &err) == APR_SUCCESS
       && spec.bytes == ((apr_size_t)1 << 31), "cache process: the largest size");
    {
        static const char *const bad[] = {
            "process:", "process:16383", "process:2147483649", "process:12k",
            "process:-1", "process:0x10000"
        };
        size_t i;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            err = NULL;
            ok(amt_parse_cache(&spec, p, bad[i], &err) == AMT_EBADVALUE
               && err != NULL && strstr(err, "the size must be a number of "
                                        "bytes from 16384 to 2147483648"),
               "cache '%s' refused (%s)", bad[i], err ? err : "no message");
        }
    }
    ok(amt_parse_cache(&spec, p, "shmcb:/tmp/x(512000)", &err) == APR_SUCCESS
       && spec.kind == AMT_CACHE_SOCACHE && strcmp(spec.provider, "shmcb") == 0
       && strcmp(spec.args, "/tmp/x(512000)") == 0, "cache shmcb:args");
    ok(amt_parse_cache(&spec, p, "memcache:10.0.0.5:11211", &err) == APR_SUCCESS
       && strcmp(spec.provider, "memcache") == 0
       && strcmp(spec.args, "10.0.0.5:11211") == 0,
       "cache memcache: args after the first colon");
    ok(amt_parse_cache(&spec, p, "redis", &err) == APR_SUCCESS
       && spec.kind == AMT_CACHE_SOCACHE && spec.args == NULL,
       "cache redis: no args");
}

int main(void)
{
    apr_pool_t *p;
    int rc;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_verify_mode(p);
    test_int(p);
    test_header_name(p);
    test_option(p);
    test_proxy(p);
    test_cache(p);

    rc = done_testing();
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
