/*
 * amt_source.h - the files and directories named by one section's CA lines
 * (AlbMtlsCAFile/AlbMtlsCAPath) or CRL lines (AlbMtlsCRLFile/
 * AlbMtlsCRLPath), and what was last read from them: a load.
 *
 * A source is made while the configuration is read and holds its current
 * load (trust anchors or a CRL set).  Where AlbMtlsReloadInterval is not 0
 * a child checks the stamp of the files at most once per interval
 * (amt_source_due, amt_source_check) and, when it changed, reads a new load
 * and makes it current atomically.  A request pins the load it uses
 * (amt_source_acquire) and releases it when it ends (amt_source_release):
 * a load is freed when it is no longer current and the last request using
 * it has ended.  A new load that cannot be read keeps the current one.
 *
 * Thread-safe: acquire and the swap take the source's mutex for a few
 * instructions; the check is done by one thread at a time (the one that
 * amt_source_due let in).
 */
#ifndef AMT_SOURCE_H
#define AMT_SOURCE_H

#include <time.h>
#include <apr_pools.h>
#include <apr_time.h>

#include "amt_crl.h"
#include "amt_trust.h"

typedef struct amt_source_t amt_source_t;
typedef struct amt_load_t amt_load_t;

#define AMT_STAMP_LEN 32

typedef enum {
    AMT_SOURCE_TRUST = 0,           /* CA files and hashed directories */
    AMT_SOURCE_CRL                  /* CRL files and hashed directories */
} amt_source_kind_e;

/** The outcome of amt_source_check(). */
typedef enum {
    AMT_CHECK_SAME = 0,             /* the files did not change */
    AMT_CHECK_RELOADED,             /* a new load is current */
    AMT_CHECK_FAILED,               /* they changed and the new content
                                     * cannot be used (*err says why, naming
                                     * the file); the current load stays */
    AMT_CHECK_FAILED_AGAIN          /* still the content that failed last
                                     * time: nothing read, nothing to log */
} amt_check_e;

/**
 * A source of the given kind with no file; its mutex and, when it is
 * destroyed, its current load belong to p.
 */
apr_status_t amt_source_make(amt_source_t **src, apr_pool_t *p,
                             amt_source_kind_e kind);

/** Adds a file (is_dir 0) or hashed directory to the list (copied into
 *  p); nothing is read until amt_source_read(). */
void amt_source_add(amt_source_t *src, const char *path, int is_dir,
                    apr_pool_t *p);

/**
 * Reads every path of the source into a new load and makes it current
 * (the previous one is released).  On failure (AMT_ETRUST, *err from p
 * naming the file) the current load is unchanged.  Configuration time.
 */
apr_status_t amt_source_read(amt_source_t *src, apr_pool_t *p,
                             const char **err);

amt_source_kind_e amt_source_kind(const amt_source_t *src);
int amt_source_paths(const amt_source_t *src);          /* how many */
const char *amt_source_path(const amt_source_t *src, int i, int *is_dir);

/**
 * How often amt_source_due() lets a check through: every `interval`
 * (0: files are never checked again; amt_source_due() then lets one
 * through every `quiet` only, for warnings about the current load).
 */
void amt_source_set_interval(amt_source_t *src, apr_interval_time_t interval,
                             apr_interval_time_t quiet);
apr_interval_time_t amt_source_interval(const amt_source_t *src);

/**
 * True for exactly one caller when the next check is due at `now`; that
 * caller must call amt_source_check() (which ends the claim).  Costs one
 * comparison when not due.
 */
int amt_source_due(amt_source_t *src, apr_time_t now);

/**
 * Compares the stamp of the files with the current load's (and with the
 * last failed one's) and, when they differ, reads a new load and makes it
 * current.  Ends the claim of amt_source_due(); may be called without one
 * (tests).  With interval 0 the files are not looked at (AMT_CHECK_SAME).
 * *err from errp.
 */
amt_check_e amt_source_check(amt_source_t *src, apr_time_t now,
                             apr_pool_t *errp, const char **err);

/** The current load with one more reference; never NULL once a path was
 *  added.  Pair with amt_source_release(). */
amt_load_t *amt_source_acquire(amt_source_t *src);
void amt_source_release(amt_source_t *src, amt_load_t *load);

/** The current load without a reference: configuration time, or a source
 *  with interval 0 (whose load never changes). */
amt_load_t *amt_source_current(const amt_source_t *src);

/** Of a load: the trust anchors (AMT_SOURCE_TRUST) or CRL set
 *  (AMT_SOURCE_CRL), NULL for the other kind. */
const amt_trust_t *amt_load_trust(const amt_load_t *load);
const amt_crl_t *amt_load_crl(const amt_load_t *load);
/** when it was read */
apr_time_t amt_load_time(const amt_load_t *load);
/** the stamp of the files it was read from */
const unsigned char *amt_load_stamp(const amt_load_t *load);

/**
 * The stamp of a source's files as they are now: SHA-256 over, for every
 * path in order, its device, inode, type, size and mtime (or the error that
 * stat gave), and for a directory the same for every entry but . and ..,
 * sorted by name.  Any rename, rewrite or entry added or removed changes
 * it.
 */
void amt_source_stamp(const amt_source_t *src, apr_pool_t *p,
                      unsigned char out[AMT_STAMP_LEN]);

#endif
