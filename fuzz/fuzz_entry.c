/*
 * fuzz_entry.c - libFuzzer target: amt_entry_decode(), the parser of what
 * comes back from a shared cache (memcached, redis, shmcb), which whoever
 * can write to the cache server controls.
 *
 * The key an entry must carry is taken from the input itself (bytes 5-36,
 * where amt_entry_encode() puts it), so that inputs get past the key check
 * and reach the rest of the parser.
 *
 * Invariants checked (abort() = a finding): a refusal says why, in
 * printable ASCII; an accepted entry re-encodes to exactly the input (the
 * format has one encoding per entry, so nothing is accepted that the module
 * would not have written; an entry of version 1, which has no failure
 * byte, re-encodes to the input with version 2 and that byte inserted);
 * every variable is an SSL_CLIENT_ name of
 * [A-Za-z0-9_]; the log subject and a failure reason are printable ASCII;
 * exporting it under every option combination publishes only SSL_CLIENT_
 * variables, and an unverified entry at most SSL_CLIENT_VERIFY (and an
 * empty SSL_CLIENT_CERT); looking up every stored name does not crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_tables.h>

#include "amt_entry.h"
#include "amt_vars.h"
#include "fuzz_common.h"

#define KEY_OFFSET 5    /* 4 bytes of magic, 1 of version */
/* where version 2 put the failure class: after key, expiry and outcome */
#define FAILURE_OFFSET (KEY_OFFSET + AMT_ENTRY_KEY_LEN + 8 + 1)

static apr_pool_t *root;

void fuzz_target_init(void)
{
    root = fuzz_root_pool();
}

static int is_name(const char *s)
{
    if (strncmp(s, "SSL_CLIENT_", 11) != 0 || s[11] == '\0') return 0;
    for (s += 11; *s; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')
              || (*s >= '0' && *s <= '9') || *s == '_')) {
            return 0;
        }
    }
    return 1;
}

static void check_export(apr_pool_t *p, const amt_entry_t *e, time_t now)
{
    int flags, verified = amt_entry_is_verified(e);

    for (flags = 0; flags <= (AMT_OPT_STD_ENV_VARS | AMT_OPT_EXPORT_CERT_DATA
                              | AMT_OPT_LEGACY_DN_FORMAT); flags++) {
        apr_table_t *env = apr_table_make(p, 8);
        const apr_array_header_t *arr;
        const apr_table_entry_t *te;
        int i;

        if (amt_entry_export(env, p, e, flags, now) != APR_SUCCESS) continue;
        arr = apr_table_elts(env);
        te = (const apr_table_entry_t *)arr->elts;
        for (i = 0; i < arr->nelts; i++) {
            if (te[i].key == NULL || te[i].val == NULL) abort();
            if (!is_name(te[i].key)) abort();
            if (!verified && strcmp(te[i].key, "SSL_CLIENT_VERIFY") != 0
                && !(strcmp(te[i].key, "SSL_CLIENT_CERT") == 0
                     && te[i].val[0] == '\0')) {
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char key[AMT_ENTRY_KEY_LEN];
    unsigned char *buf, *again = NULL;
    apr_size_t againlen = 0;
    apr_pool_t *p;
    amt_entry_t *e = NULL;
    const char *why = NULL;
    time_t now = (time_t)1700000000;
    int i, answered;

    fuzz_target_init();
    memset(key, 0, sizeof(key));
    if (size >= KEY_OFFSET + AMT_ENTRY_KEY_LEN) {
        memcpy(key, data + KEY_OFFSET, AMT_ENTRY_KEY_LEN);
    }
    apr_pool_create(&p, root);
    /* a copy of exactly size bytes, so that ASan sees any read past it */
    buf = malloc(size ? size : 1);
    if (buf == NULL) abort();
    memcpy(buf, data, size);

    if (amt_entry_decode(&e, p, key, buf, size, &why) != APR_SUCCESS) {
        if (e != NULL) abort();
        fuzz_check_ascii(why);
    }
    else {
        if (e == NULL) abort();
        if (amt_entry_encode(&again, &againlen, p, e) != APR_SUCCESS) {
            abort();
        }
        if (size > KEY_OFFSET && data[KEY_OFFSET - 1] == 1) {
            if (againlen != size + 1 || again[KEY_OFFSET - 1] != 2
                || memcmp(again, data, KEY_OFFSET - 1) != 0
                || memcmp(again + KEY_OFFSET, data + KEY_OFFSET,
                          FAILURE_OFFSET - KEY_OFFSET) != 0
                || memcmp(again + FAILURE_OFFSET + 1, data + FAILURE_OFFSET,
                          size - FAILURE_OFFSET) != 0) {
                abort();
            }
        }
        else if (againlen != size || memcmp(again, data, size) != 0) {
            abort();
        }
        if (e->log_subject != NULL) fuzz_check_ascii(e->log_subject);
        if (e->result.outcome == AMT_OUTCOME_FAILED) {
            fuzz_check_ascii(e->result.reason);
        }
        for (i = 0; i < e->nvars; i++) {
            if (!is_name(e->vars[i].name)) abort();
            (void)amt_entry_var(p, e, e->vars[i].name, AMT_OPT_STD_ENV_VARS,
                                now, &answered);
        }
        check_export(p, e, now);
        check_export(p, e, now + 86400 * 400);
        (void)amt_entry_var(p, e, "SSL_CLIENT_VERIFY", 0, now, &answered);
        (void)amt_entry_var(p, e, "SSL_CLIENT_S_DN_CN_RAW", 0, now,
                            &answered);
    }
    free(buf);
    apr_pool_destroy(p);
    return 0;
}
