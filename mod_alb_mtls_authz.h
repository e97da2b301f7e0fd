/*
 * mod_alb_mtls_authz.h - the Require alb-mtls* providers.
 */
#ifndef MOD_ALB_MTLS_AUTHZ_H
#define MOD_ALB_MTLS_AUTHZ_H

#include "apr_pools.h"

/** mod_alb_mtls_authz.c: the Require alb-mtls* providers */
void amt_authz_register(apr_pool_t *p);

#endif
