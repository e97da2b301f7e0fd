/*
 * fuzz_common.h - what the fuzz targets share (fuzz/fuzz_common.c): the
 * libFuzzer entry points' declarations, a root pool that lives until exit,
 * and the check that text meant for logs is printable ASCII.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include <apr_tables.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* defined in fuzz_common.c: calls fuzz_target_init() */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Each target defines it: its one-time set-up (pools, trust anchors).
 * libFuzzer runs it through LLVMFuzzerInitialize before any input; the
 * replay driver does not, so targets also call it from
 * LLVMFuzzerTestOneInput, and it must do its work only once. */
void fuzz_target_init(void);

/* The root pool, made (with apr_initialize) on the first call.  It lives
 * until exit and is destroyed then: APR may take pool memory from mmap,
 * which LeakSanitizer does not scan, so objects reachable only through a
 * pool would look leaked. */
apr_pool_t *fuzz_root_pool(void);

/* abort() (a finding) unless s is non-NULL printable ASCII */
void fuzz_check_ascii(const char *s);

/* The invariants of every header decoder (amt_header_decode() and the
 * formats' decoders): on failure a printable reason; on success an array
 * of at most AMT_MAX_CERTS non-empty blobs, each of which amt_chain_make()
 * either parses as a certificate or refuses with a printable reason. */
void fuzz_check_decoded(apr_pool_t *p, apr_status_t rv,
                        const apr_array_header_t *ders, const char *reason);

#endif
