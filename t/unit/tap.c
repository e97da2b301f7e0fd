/*
 * tap.c - see tap.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int tap_planned = -1;
static int tap_run = 0;
static int tap_failed = 0;

void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

static int tap_result(int cond, const char *fmt, va_list ap)
    TAP_PRINTF(2, 0);

static int tap_result(int cond, const char *fmt, va_list ap)
{
    char name[1024];

    vsnprintf(name, sizeof(name), fmt, ap);
    tap_run++;
    if (!cond)
        tap_failed++;
    /* '#' in a test name would start a TAP directive */
    for (char *c = name; *c; c++) {
        if (*c == '#' || *c == '\n' || *c == '\r')
            *c = '_';
    }
    printf("%s %d - %s\n", cond ? "ok" : "not ok", tap_run, name);
    fflush(stdout);
    return cond;
}

int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = tap_result(cond != 0, fmt, ap);
    va_end(ap);
    return r;
}

const char *tap_escape(const char *s)
{
    static char buf[2100];
    size_t n = 0;

    if (s == NULL)
        return "(NULL)";
    buf[n++] = '\'';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (n > sizeof(buf) - 16) {
            memcpy(buf + n, "...", 3);
            n += 3;
            break;
        }
        switch (*c) {
        case '\n': buf[n++] = '\\'; buf[n++] = 'n'; break;
        case '\r': buf[n++] = '\\'; buf[n++] = 'r'; break;
        case '\t': buf[n++] = '\\'; buf[n++] = 't'; break;
        case '\\': buf[n++] = '\\'; buf[n++] = '\\'; break;
        default:
            if (*c < 0x20 || *c > 0x7e)
                n += (size_t)snprintf(buf + n, 5, "\\x%02X", *c);
            else
                buf[n++] = (char)*c;
        }
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return buf;
}

int is_str(const char *got, const char *expected, const char *fmt, ...)
{
    va_list ap;
    int cond, r;

    if (got == NULL || expected == NULL)
        cond = (got == expected);
    else
        cond = (strcmp(got, expected) == 0);
    va_start(ap, fmt);
    r = tap_result(cond, fmt, ap);
    va_end(ap);
    if (!cond) {
        printf("#          got: %s\n", tap_escape(got));
        printf("#     expected: %s\n", tap_escape(expected));
        fflush(stdout);
    }
    return r;
}

int contains_str(const char *got, const char *needle, const char *fmt, ...)
{
    va_list ap;
    int cond, r;

    cond = (got != NULL && needle != NULL && strstr(got, needle) != NULL);
    va_start(ap, fmt);
    r = tap_result(cond, fmt, ap);
    va_end(ap);
    if (!cond) {
        printf("#          got: %s\n", tap_escape(got));
        printf("#  to contain: %s\n", tap_escape(needle));
        fflush(stdout);
    }
    return r;
}

int lacks_str(const char *got, const char *needle, const char *fmt, ...)
{
    va_list ap;
    int cond, r;

    cond = (got == NULL || needle == NULL || strstr(got, needle) == NULL);
    va_start(ap, fmt);
    r = tap_result(cond, fmt, ap);
    va_end(ap);
    if (!cond) {
        printf("#          got: %s\n", tap_escape(got));
        printf("#  not to contain: %s\n", tap_escape(needle));
        fflush(stdout);
    }
    return r;
}

int is_int(long long got, long long expected, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = tap_result(got == expected, fmt, ap);
    va_end(ap);
    if (got != expected) {
        printf("#          got: %lld\n", got);
        printf("#     expected: %lld\n", expected);
        fflush(stdout);
    }
    return r;
}

void skip(int n, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    for (char *c = why; *c; c++) {
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    }
    for (int i = 0; i < n; i++)
        printf("ok %d # skip %s\n", ++tap_run, why);
    fflush(stdout);
}

void diag(const char *fmt, ...)
{
    va_list ap;

    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

void bail_out(const char *fmt, ...)
{
    va_list ap;

    fputs("Bail out! ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    exit(255);
}

int tap_failures(void)
{
    return tap_failed;
}

int done_testing(void)
{
    if (tap_planned < 0) {
        printf("1..%d\n", tap_run);
        tap_planned = tap_run;
    }
    else if (tap_planned != tap_run) {
        printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
    }
    if (tap_failed)
        printf("# failed %d of %d tests\n", tap_failed, tap_run);
    fflush(stdout);
    return (tap_failed == 0 && tap_planned == tap_run) ? 0 : 1;
}
