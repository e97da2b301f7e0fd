/*
 * amt_source.c - CA and CRL files that can be read again while httpd runs:
 * stamps, loads, and the switch from one load to the next.
 *
 * Every load has its own unmanaged pool, so that it can be freed by
 * whichever thread releases it last, independently of the configuration
 * pool and of the request that read it.
 */
#include <stdlib.h>
#include <string.h>
#include <apr_atomic.h>
#include <apr_file_info.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <openssl/evp.h>

#include "amt_digest.h"
#include "amt_error.h"
#include "amt_source.h"

typedef struct {
    const char *path;
    int is_dir;
} source_path_t;

struct amt_load_t {
    apr_pool_t *pool;               /* unmanaged: everything of this load */
    amt_trust_t *trust;             /* AMT_SOURCE_TRUST */
    amt_crl_t *crl;                 /* AMT_SOURCE_CRL */
    apr_time_t loaded;
    unsigned char stamp[AMT_STAMP_LEN];
    volatile apr_uint32_t refs;     /* the source's own + one per pin */
};

struct amt_source_t {
    amt_source_kind_e kind;
    apr_array_header_t *paths;      /* of source_path_t */
    amt_load_t *current;            /* swapped under mutex */
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
    apr_interval_time_t interval;   /* 0: never read again */
    apr_interval_time_t quiet;      /* due period when interval is 0 */
    apr_time_t next_check;          /* written by the claimer only */
    volatile apr_uint32_t checking; /* 1 while one thread checks */
    int has_bad;
    unsigned char bad[AMT_STAMP_LEN];   /* stamp that failed last */
};

static void load_free(amt_load_t *load)
{
    if (load != NULL) apr_pool_destroy(load->pool);
}

static void lock(amt_source_t *src)
{
#if APR_HAS_THREADS
    if (src->mutex) apr_thread_mutex_lock(src->mutex);
#else
    (void)src;
#endif
}

static void unlock(amt_source_t *src)
{
#if APR_HAS_THREADS
    if (src->mutex) apr_thread_mutex_unlock(src->mutex);
#else
    (void)src;
#endif
}

static apr_status_t source_cleanup(void *data)
{
    amt_source_t *src = data;
    amt_load_t *load = src->current;

    src->current = NULL;
    if (load != NULL && apr_atomic_dec32(&load->refs) == 0) load_free(load);
    return APR_SUCCESS;
}

apr_status_t amt_source_make(amt_source_t **out, apr_pool_t *p,
                             amt_source_kind_e kind)
{
    amt_source_t *src = apr_pcalloc(p, sizeof(*src));

    src->kind = kind;
    src->paths = apr_array_make(p, 2, sizeof(source_path_t));
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&src->mutex, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return APR_ENOMEM;
    }
#endif
    apr_pool_cleanup_register(p, src, source_cleanup, apr_pool_cleanup_null);
    *out = src;
    return APR_SUCCESS;
}

void amt_source_add(amt_source_t *src, const char *path, int is_dir,
                    apr_pool_t *p)
{
    source_path_t *sp = apr_array_push(src->paths);

    sp->path = apr_pstrdup(p, path);
    sp->is_dir = is_dir;
}

amt_source_kind_e amt_source_kind(const amt_source_t *src)
{
    return src->kind;
}

int amt_source_paths(const amt_source_t *src)
{
    return src->paths->nelts;
}

const char *amt_source_path(const amt_source_t *src, int i, int *is_dir)
{
    const source_path_t *sp;

    if (i < 0 || i >= src->paths->nelts) return NULL;
    sp = &APR_ARRAY_IDX(src->paths, i, source_path_t);
    if (is_dir) *is_dir = sp->is_dir;
    return sp->path;
}

void amt_source_set_interval(amt_source_t *src, apr_interval_time_t interval,
                             apr_interval_time_t quiet)
{
    src->interval = interval > 0 ? interval : 0;
    src->quiet = quiet > 0 ? quiet : 0;
}

apr_interval_time_t amt_source_interval(const amt_source_t *src)
{
    return src->interval;
}

/* ------------------------------------------------------------------ */
/* stamps                                                              */

static void stamp_one(EVP_MD_CTX *md, apr_pool_t *p, const char *name,
                      const char *path, int with_time)
{
    apr_finfo_t fi;
    apr_status_t rv;
    const char *line;

    memset(&fi, 0, sizeof(fi));
    rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE
                  | APR_FINFO_MTIME | APR_FINFO_INODE | APR_FINFO_DEV, p);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        line = apr_psprintf(p, "%s\terror %d\n", name, rv);
    }
    else {
        line = apr_psprintf(p, "%s\t%d %lu %lu %" APR_OFF_T_FMT " %"
                            APR_TIME_T_FMT "\n", name, (int)fi.filetype,
                            (unsigned long)fi.device, (unsigned long)fi.inode,
                            with_time ? fi.size : 0,
                            with_time ? fi.mtime : 0);
    }
    EVP_DigestUpdate(md, line, strlen(line));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* every entry of a directory but . and .. and names starting with a dot
 * (where a careful publisher writes its temporary file), sorted */
static void stamp_dir(EVP_MD_CTX *md, apr_pool_t *p, const char *path)
{
    apr_dir_t *dir;
    apr_finfo_t fi;
    apr_array_header_t *names = apr_array_make(p, 16, sizeof(const char *));
    int i;

    if (apr_dir_open(&dir, path, p) != APR_SUCCESS) {
        EVP_DigestUpdate(md, "unreadable\n", 11);
        return;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        if (fi.name == NULL || fi.name[0] == '.') continue;
        APR_ARRAY_PUSH(names, const char *) = apr_pstrdup(p, fi.name);
    }
    apr_dir_close(dir);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), cmp_str);
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        stamp_one(md, p, name, apr_pstrcat(p, path, "/", name, NULL), 1);
    }
}

void amt_source_stamp(const amt_source_t *src, apr_pool_t *p,
                      unsigned char out[AMT_STAMP_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = 0;
    apr_pool_t *tp;
    int i;

    memset(out, 0, AMT_STAMP_LEN);
    if (md == NULL || apr_pool_create(&tp, p) != APR_SUCCESS) {
        EVP_MD_CTX_free(md);
        return;
    }
    if (EVP_DigestInit_ex(md, amt_sha256(), NULL)) {
        for (i = 0; i < src->paths->nelts; i++) {
            const source_path_t *sp = &APR_ARRAY_IDX(src->paths, i,
                                                     source_path_t);
            /* a directory's own size and mtime change with any temporary
             * file in it: its entries stand for its content */
            stamp_one(md, tp, sp->is_dir ? "dir" : "file", sp->path,
                      !sp->is_dir);
            if (sp->is_dir) stamp_dir(md, tp, sp->path);
        }
        if (!EVP_DigestFinal_ex(md, out, &len)) {
            memset(out, 0, AMT_STAMP_LEN);
        }
    }
    EVP_MD_CTX_free(md);
    apr_pool_destroy(tp);
}

/* ------------------------------------------------------------------ */
/* loads                                                               */

/* Reads every path of src into a new load (one reference); *err from errp. */
static apr_status_t load_read(amt_load_t **out, const amt_source_t *src,
                              apr_time_t now, apr_pool_t *errp,
                              const char **err)
{
    apr_pool_t *lp;
    amt_load_t *load;
    apr_status_t rv;
    int i;

    *out = NULL;
    if ((rv = apr_pool_create_unmanaged_ex(&lp, NULL, NULL)) != APR_SUCCESS) {
        *err = "out of memory";
        return rv;
    }
    load = apr_pcalloc(lp, sizeof(*load));
    load->pool = lp;
    load->loaded = now;
    load->refs = 1;
    /* the stamp before the content: a change while reading is seen by the
     * next check */
    amt_source_stamp(src, lp, load->stamp);
    rv = src->kind == AMT_SOURCE_TRUST ? amt_trust_make(&load->trust, lp)
                                       : amt_crl_make(&load->crl, lp);
    if (rv != APR_SUCCESS) {
        *err = "cannot create a certificate store or CRL set";
    }
    for (i = 0; rv == APR_SUCCESS && i < src->paths->nelts; i++) {
        const source_path_t *sp = &APR_ARRAY_IDX(src->paths, i,
                                                 source_path_t);
        const char *e = NULL;

        if (src->kind == AMT_SOURCE_TRUST) {
            rv = sp->is_dir ? amt_trust_add_dir(load->trust, sp->path, lp, &e)
                            : amt_trust_add_file(load->trust, sp->path, lp,
                                                 &e);
        }
        else {
            rv = sp->is_dir ? amt_crl_add_dir(load->crl, sp->path, lp, &e)
                            : amt_crl_add_file(load->crl, sp->path, lp, &e);
        }
        if (rv != APR_SUCCESS) {
            *err = apr_pstrdup(errp, e ? e : "cannot read");
        }
    }
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(lp);
        return rv;
    }
    *out = load;
    return APR_SUCCESS;
}

/* makes load current and drops the source's reference to the old one */
static void swap_in(amt_source_t *src, amt_load_t *load)
{
    amt_load_t *old;

    lock(src);
    old = src->current;
    src->current = load;
    unlock(src);
    if (old != NULL && apr_atomic_dec32(&old->refs) == 0) load_free(old);
}

apr_status_t amt_source_read(amt_source_t *src, apr_pool_t *p,
                             const char **err)
{
    amt_load_t *load;
    apr_status_t rv = load_read(&load, src, apr_time_now(), p, err);

    if (rv != APR_SUCCESS) return rv;
    swap_in(src, load);
    src->has_bad = 0;
    return APR_SUCCESS;
}

int amt_source_due(amt_source_t *src, apr_time_t now)
{
    if (now < src->next_check) return 0;
    if (src->interval == 0 && src->quiet == 0) return 0;
    return apr_atomic_cas32(&src->checking, 1, 0) == 0;
}

amt_check_e amt_source_check(amt_source_t *src, apr_time_t now,
                             apr_pool_t *errp, const char **err)
{
    amt_check_e rc = AMT_CHECK_SAME;

    *err = NULL;
    if (src->interval > 0 && src->current != NULL) {
        unsigned char st[AMT_STAMP_LEN];

        /* src->current is swapped by the claimer only: reading it here
         * needs no lock */
        amt_source_stamp(src, errp, st);
        if (memcmp(st, src->current->stamp, AMT_STAMP_LEN) == 0) {
            src->has_bad = 0;
        }
        else if (src->has_bad && memcmp(st, src->bad, AMT_STAMP_LEN) == 0) {
            rc = AMT_CHECK_FAILED_AGAIN;
        }
        else {
            amt_load_t *load;
            if (load_read(&load, src, now, errp, err) == APR_SUCCESS) {
                swap_in(src, load);
                src->has_bad = 0;
                rc = AMT_CHECK_RELOADED;
            }
            else {
                memcpy(src->bad, st, AMT_STAMP_LEN);
                src->has_bad = 1;
                rc = AMT_CHECK_FAILED;
            }
        }
    }
    src->next_check = now + (src->interval > 0 ? src->interval : src->quiet);
    apr_atomic_set32(&src->checking, 0);
    return rc;
}

amt_load_t *amt_source_acquire(amt_source_t *src)
{
    amt_load_t *load;

    if (src->interval == 0) return src->current;    /* never swapped */
    lock(src);
    load = src->current;
    if (load != NULL) apr_atomic_inc32(&load->refs);
    unlock(src);
    return load;
}

void amt_source_release(amt_source_t *src, amt_load_t *load)
{
    if (src->interval == 0 || load == NULL) return;
    if (apr_atomic_dec32(&load->refs) == 0) load_free(load);
}

amt_load_t *amt_source_current(const amt_source_t *src)
{
    return src->current;
}

const amt_trust_t *amt_load_trust(const amt_load_t *load)
{
    return load ? load->trust : NULL;
}

const amt_crl_t *amt_load_crl(const amt_load_t *load)
{
    return load ? load->crl : NULL;
}

apr_time_t amt_load_time(const amt_load_t *load)
{
    return load->loaded;
}

const unsigned char *amt_load_stamp(const amt_load_t *load)
{
    return load->stamp;
}
