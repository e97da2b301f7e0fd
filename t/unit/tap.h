/*
 * tap.h - a tiny TAP (Test Anything Protocol) producer for the C unit tests
 * of the core.  Output goes to stdout; diagnostics are "# " lines.
 *
 *   plan(n);                       or nothing, then done_testing() prints it
 *   ok(cond, "name %d", i);
 *   is_str(got, expected, "name"); NULL is a value of its own ("(NULL)")
 *   is_int(got, expected, "name");
 *   return done_testing();          0 when every test passed and the count
 *                                   matches the plan, 1 otherwise
 */
#ifndef TAP_H
#define TAP_H

#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))

/** Announces the number of tests ("1..n"). */
void plan(int n);

/** One test; returns cond != 0. */
int ok(int cond, const char *fmt, ...) TAP_PRINTF(2, 3);

/** Equal strings (both NULL counts as equal).  On failure prints both,
 *  with non-printable bytes escaped. */
int is_str(const char *got, const char *expected, const char *fmt, ...)
    TAP_PRINTF(3, 4);

/** got contains needle (got NULL fails). */
int contains_str(const char *got, const char *needle, const char *fmt, ...)
    TAP_PRINTF(3, 4);

/** got does not contain needle (got NULL passes). */
int lacks_str(const char *got, const char *needle, const char *fmt, ...)
    TAP_PRINTF(3, 4);

/** Equal integers. */
int is_int(long long got, long long expected, const char *fmt, ...)
    TAP_PRINTF(3, 4);

/** Records n tests as skipped ("ok N # skip reason"). */
void skip(int n, const char *fmt, ...) TAP_PRINTF(2, 3);

/** A "# " diagnostic line (printed to stdout, as TAP allows). */
void diag(const char *fmt, ...) TAP_PRINTF(1, 2);

/** Stops the program with "Bail out!" (exit status 255). */
void bail_out(const char *fmt, ...) TAP_PRINTF(1, 2) __attribute__((noreturn));

/** Number of failed tests so far. */
int tap_failures(void);

/** Prints the plan if none was given, checks the count; returns the exit
 *  status for main(). */
int done_testing(void);

/** The escaped form of s (for diagnostics): \n \r \t \\ and \xHH for other
 *  bytes outside 0x20..0x7e.  Static buffer, truncated at about 2 KiB. */
const char *tap_escape(const char *s);

#endif
