/* The output protocol the host tests parse, one line per fact:
 *   TEST <scenario>.<check> PASS [detail]
 *   TEST <scenario>.<check> FAIL <reason>
 *   INFO <key>=<value> ...
 *   SUMMARY <n> passed, <m> failed
 */
#ifndef TESTGUEST_REPORT_H
#define TESTGUEST_REPORT_H

#include <stdbool.h>

/* Names the scenario that the following TEST lines belong to. */
void report_scenario(const char *name);

/* detail may be NULL for a bare PASS. */
void report_pass(const char *check, const char *detail, ...) __attribute__((format(printf, 2, 3)));
void report_fail(const char *check, const char *reason, ...) __attribute__((format(printf, 2, 3)));
/* PASS or FAIL by ok, with the same text as detail or reason; returns ok. */
bool report_check(bool ok, const char *check, const char *text, ...) __attribute__((format(printf, 3, 4)));
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void report_summary(void);

#endif
