/* Log lines (log.h). */
#include "manager/guestmgrd/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static bool journal;

void log_init(bool to_journal)
{
	journal = to_journal;
}

static void vlog(int priority, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (journal)
		fprintf(stderr, "<%d>%s\n", priority, line);
	else
		fprintf(stderr, "guestmgrd: %s\n", line);
}

#define LOG_FN(name, priority)                                                                   \
	void name(const char *fmt, ...)                                                          \
	{                                                                                        \
		va_list ap;                                                                      \
		va_start(ap, fmt);                                                               \
		vlog(priority, fmt, ap);                                                         \
		va_end(ap);                                                                      \
	}

LOG_FN(log_err, LOG_ERR)
LOG_FN(log_warn, LOG_WARNING)
LOG_FN(log_info, LOG_INFO)
