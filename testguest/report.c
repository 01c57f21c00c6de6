#include "report.h"

#include <stdarg.h>

#include "console.h"
#include "format.h"

static const char *scenario = "main";
static unsigned passed, failed;	/* atomics: APs report too */

void report_scenario(const char *name)
{
	scenario = name;
}

static void report_line(bool ok, const char *check, const char *text, va_list ap)
{
	char body[CONSOLE_LINE_MAX - 64] = "";

	if (text)
		format_v(body, sizeof(body), text, ap);
	if (!ok && !body[0])
		format(body, sizeof(body), "(no reason given)");
	__atomic_fetch_add(ok ? &passed : &failed, 1, __ATOMIC_RELAXED);
	console_printf("TEST %s.%s %s%s%s\n", scenario, check, ok ? "PASS" : "FAIL",
		       body[0] ? " " : "", body);
}

void report_pass(const char *check, const char *detail, ...)
{
	va_list ap;

	va_start(ap, detail);
	report_line(true, check, detail, ap);
	va_end(ap);
}

void report_fail(const char *check, const char *reason, ...)
{
	va_list ap;

	va_start(ap, reason);
	report_line(false, check, reason, ap);
	va_end(ap);
}

bool report_check(bool ok, const char *check, const char *text, ...)
{
	va_list ap;

	va_start(ap, text);
	report_line(ok, check, text, ap);
	va_end(ap);
	return ok;
}

void report_info(const char *fmt, ...)
{
	char body[CONSOLE_LINE_MAX - 16];
	va_list ap;

	va_start(ap, fmt);
	format_v(body, sizeof(body), fmt, ap);
	va_end(ap);
	console_printf("INFO %s\n", body);
}

void report_summary(void)
{
	console_printf("SUMMARY %u passed, %u failed\n",
		       __atomic_load_n(&passed, __ATOMIC_RELAXED),
		       __atomic_load_n(&failed, __ATOMIC_RELAXED));
}
