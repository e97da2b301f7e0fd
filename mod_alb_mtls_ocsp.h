/*
 * mod_alb_mtls_ocsp.h - OCSP for forwarded client certificates, as
 * mod_ssl's SSLOCSPEnable: the directives, and the check that runs after a
 * chain verified (amt_ocsp.h is the core of it).
 */
#ifndef MOD_ALB_MTLS_OCSP_H
#define MOD_ALB_MTLS_OCSP_H

#include "httpd.h"
#include "http_config.h"
#include <openssl/x509.h>

#include "amt_ocsp.h"
#include "amt_verify.h"

const char *amt_ocsp_cmd_enable(cmd_parms *cmd, void *mconfig,
                                const char *args);
const char *amt_ocsp_cmd_responder(cmd_parms *cmd, void *mconfig,
                                   const char *arg);
const char *amt_ocsp_cmd_flag(cmd_parms *cmd, void *mconfig, int on);
const char *amt_ocsp_cmd_seconds(cmd_parms *cmd, void *mconfig,
                                 const char *arg);
const char *amt_ocsp_cmd_certs(cmd_parms *cmd, void *mconfig,
                               const char *arg);

/* which field a flag or number directive sets (cmd->info) */
#define AMT_OCSP_F_OVERRIDE  ((void *)1)
#define AMT_OCSP_F_NONCE     ((void *)2)
#define AMT_OCSP_N_TIMEOUT   ((void *)1)
#define AMT_OCSP_N_MAXAGE    ((void *)2)
#define AMT_OCSP_N_SKEW      ((void *)3)

/* the directives, for amt_cmds[] (context as the CA and CRL directives) */
#define AMT_OCSP_CMDS(ctx)                                                  \
    AP_INIT_RAW_ARGS("AlbMtlsOCSP", amt_ocsp_cmd_enable, NULL, ctx,         \
                     "off|on|leaf [no_ocsp_for_cert_ok]: check forwarded "  \
                     "client certificates with OCSP (as SSLOCSPEnable)"),   \
    AP_INIT_TAKE1("AlbMtlsOCSPDefaultResponder", amt_ocsp_cmd_responder,    \
                  NULL, ctx, "http:// URL of the OCSP responder used when " \
                  "a certificate names none"),                              \
    AP_INIT_FLAG("AlbMtlsOCSPOverrideResponder", amt_ocsp_cmd_flag,         \
                 AMT_OCSP_F_OVERRIDE, ctx, "On: always ask the default "    \
                 "responder"),                                              \
    AP_INIT_TAKE1("AlbMtlsOCSPResponderTimeout", amt_ocsp_cmd_seconds,      \
                  AMT_OCSP_N_TIMEOUT, ctx, "seconds to connect to and "     \
                  "read from the responder (default 10)"),                  \
    AP_INIT_TAKE1("AlbMtlsOCSPResponseMaxAge", amt_ocsp_cmd_seconds,        \
                  AMT_OCSP_N_MAXAGE, ctx, "oldest thisUpdate accepted, in " \
                  "seconds (default -1: no limit)"),                        \
    AP_INIT_TAKE1("AlbMtlsOCSPResponseTimeSkew", amt_ocsp_cmd_seconds,      \
                  AMT_OCSP_N_SKEW, ctx, "clock skew allowed on thisUpdate " \
                  "and nextUpdate, in seconds (default 300)"),              \
    AP_INIT_FLAG("AlbMtlsOCSPUseRequestNonce", amt_ocsp_cmd_flag,           \
                 AMT_OCSP_F_NONCE, ctx, "On (default): send a nonce and "   \
                 "require it in the answer"),                               \
    AP_INIT_TAKE1("AlbMtlsOCSPResponderCertificateFile", amt_ocsp_cmd_certs,\
                  NULL, ctx, "PEM file of responder certificates trusted "  \
                  "as such")

/**
 * After amt_verify_chain_path(): with OCSP on in policy, checks the
 * certificates of path (leaf first) as mod_ssl does, and turns res into
 * FAILED when one is revoked ("certificate revoked") or cannot be checked
 * ("application verification failure"; GENEROUS too), logging the cause
 * once; bounds res->recheck_at by the OCSP answers used.  Answers are
 * cached per certificate in the AlbMtlsCache.
 */
void amt_ocsp_apply(request_rec *r, const amt_policy_t *policy,
                    STACK_OF(X509) *path, amt_result_t *res);

#endif
