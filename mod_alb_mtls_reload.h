/*
 * mod_alb_mtls_reload.h - CA and CRL files that take effect without a
 * restart (AlbMtlsReloadInterval): the sources of every section, shared by
 * sections that name the same files, checked at most once per interval
 * per child, pinned by each request, and shown on mod_status.
 */
#ifndef MOD_ALB_MTLS_RELOAD_H
#define MOD_ALB_MTLS_RELOAD_H

#include "httpd.h"
#include "http_config.h"

#include "amt_source.h"
#include "amt_verify.h"

#define AMT_DEFAULT_RELOAD_INTERVAL 60
#define AMT_MAX_RELOAD_INTERVAL     86400

struct amt_dir_conf;

/**
 * A CA or CRL line (kind) of a section: *src becomes the source of the
 * section's lines so far plus path (one read, errors name the file), shared
 * with every other section that names the same files in the same order.
 * Returns NULL or an error message.
 */
const char *amt_reload_add(cmd_parms *cmd, amt_source_t **src,
                           amt_source_kind_e kind, int is_dir,
                           const char *path);

/**
 * The trust anchors and CRL set of dc, as pinned for r's initial request
 * (the first call per source and request pins the current load until the
 * request ends; a due check of the files runs first): fills policy->trust
 * and policy->crl.
 */
void amt_reload_pin(request_rec *r, const struct amt_dir_conf *dc,
                    amt_policy_t *policy);

/** post_config (intervals), mod_status hook. */
void amt_reload_register_hooks(apr_pool_t *p);

#endif
