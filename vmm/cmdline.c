#include "vmm/cmdline.h"

#include <string.h>

/* Appends s at out[len], as far as it fits; returns the new full length. */
static size_t append(char *out, size_t outlen, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len < outlen) {
		size_t fit = outlen - 1 - len < n ? outlen - 1 - len : n;

		memcpy(out + len, s, fit);
		out[len + fit] = '\0';
	}
	return len + n;
}

size_t cmdline_join(char *out, size_t outlen, const char *base,
		    const char *const *adds, size_t nadds)
{
	size_t len = 0;

	if (outlen)
		out[0] = '\0';
	if (base)
		len = append(out, outlen, len, base);
	for (size_t i = 0; i < nadds; i++) {
		if (len)
			len = append(out, outlen, len, " ");
		len = append(out, outlen, len, adds[i]);
	}
	return len;
}
