/*
 * mod_alb_mtls_proxy.h - trusted proxies and the certificate headers they
 * send.
 */
#ifndef MOD_ALB_MTLS_PROXY_H
#define MOD_ALB_MTLS_PROXY_H

#include "apr_pools.h"

/** pre_config (the default AlbMtlsTrustedProxy list), post_read_request
 *  (capture or strip the certificate headers) and the trailer filter. */
void amt_proxy_register_hooks(apr_pool_t *p);

#endif
