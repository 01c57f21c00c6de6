/* key=value parameters from the command line, separated by spaces. A word
 * without '=' is a key with an empty value. The last occurrence wins. */
#ifndef TESTGUEST_CMDLINE_H
#define TESTGUEST_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

void cmdline_parse(const char *cmdline);
/* The value, or NULL when the key is absent. */
const char *param(const char *key);
/* True when the key is present; *bad when its value is not a number. */
bool param_u64(const char *key, uint64_t *out, bool *bad);

#endif
