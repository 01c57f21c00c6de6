/* The kernel command line: the config's cmdline, then each cmdline_add
 * after one space (Fuchsia's GuestConfig semantics). */
#ifndef VMM_CMDLINE_H
#define VMM_CMDLINE_H

#include <stddef.h>

/* Writes the joined line to out (always NUL-terminated when outlen > 0,
 * truncated if it does not fit) and returns its full length without the
 * NUL, so a result >= outlen means it did not fit. base may be NULL. */
size_t cmdline_join(char *out, size_t outlen, const char *base,
		    const char *const *adds, size_t nadds);

#endif
