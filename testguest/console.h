/* Whole lines to the serial console. Lines from different CPUs never
 * interleave: each line is written under one lock. */
#ifndef TESTGUEST_CONSOLE_H
#define TESTGUEST_CONSOLE_H

#include <stdarg.h>

#define CONSOLE_LINE_MAX 512

void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_vprintf(const char *fmt, va_list ap);

/* For the fatal-exception path: the CPU that faulted may hold the lock. */
void console_break_lock(void);

#endif
