/*
 * mod_alb_mtls.h - what every glue file of mod_alb_mtls shares: the module
 * record and the log tags.  Each glue file has its own header for the rest.
 */
#ifndef MOD_ALB_MTLS_H
#define MOD_ALB_MTLS_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

extern module AP_MODULE_DECLARE_DATA alb_mtls_module;
APLOG_USE_MODULE(alb_mtls);

/* Log tags of this module: httpd's AHnnnnn numbers belong to httpd itself.
 * Ranges per concern: docs/log-numbers.md. */
#define AMTLOGNO(n) "ALB" #n ": "

/* longest subject DN written to a log line (or kept for one in an entry) */
#define AMT_LOG_SUBJECT_MAX 256

#endif
