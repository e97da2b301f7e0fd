/*
 * mod_alb_mtls_fakeauth.h - AlbMtlsOptions +FakeBasicAuth and the forgery
 * check.
 */
#ifndef MOD_ALB_MTLS_FAKEAUTH_H
#define MOD_ALB_MTLS_FAKEAUTH_H

#include "apr_pools.h"

/** mod_alb_mtls_fakeauth.c: AlbMtlsOptions +FakeBasicAuth, spoof check */
void amt_fakeauth_register(apr_pool_t *p);

#endif
