/* A small printf: %s %c %d %i %u %x %p and %%, with the flags '0', '-',
 * '#', a width, and the length modifiers l, ll and z. Enough for the
 * protocol lines; anything else is printed as-is. */
#ifndef TESTGUEST_FORMAT_H
#define TESTGUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: always terminates (size > 0), returns the length written. */
size_t format_v(char *buf, size_t size, const char *fmt, va_list ap);
size_t format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
