/*
 * amt_options.h - the AlbMtlsOptions flags.  One set: the directive parser
 * (amt_parse_option) produces them, the glue merges them per directory, and
 * the variables (amt_vars.h, amt_entry.h) read the ones that concern them.
 */
#ifndef AMT_OPTIONS_H
#define AMT_OPTIONS_H

#define AMT_OPT_STD_ENV_VARS      0x01  /* StdEnvVars */
#define AMT_OPT_EXPORT_CERT_DATA  0x02  /* ExportCertData */
#define AMT_OPT_LEGACY_DN_FORMAT  0x04  /* LegacyDNStringFormat */
#define AMT_OPT_FAKE_BASIC_AUTH   0x08  /* FakeBasicAuth */

#endif
