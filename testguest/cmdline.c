#include "cmdline.h"

#include "bootinfo.h"
#include "libc.h"

#define MAX_PARAMS 64

struct kv {
	const char *key;
	const char *value;
};

static char words[LAYOUT_CMDLINE_MAX];	/* the command line, cut into strings */
static struct kv params[MAX_PARAMS];
static unsigned nparams;

void cmdline_parse(const char *cmdline)
{
	char *p = words;

	strlcopy(words, cmdline, sizeof(words));
	nparams = 0;
	while (*p && nparams < MAX_PARAMS) {
		char *eq;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			*p++ = '\0';
		if (!*p)
			break;
		params[nparams].key = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
		eq = strchr(params[nparams].key, '=');
		if (eq) {
			*eq = '\0';
			params[nparams].value = eq + 1;
		} else {
			params[nparams].value = "";
		}
		nparams++;
	}
}

const char *param(const char *key)
{
	const char *v = NULL;

	for (unsigned i = 0; i < nparams; i++) {
		if (strcmp(params[i].key, key) == 0)
			v = params[i].value;
	}
	return v;
}

bool param_u64(const char *key, uint64_t *out, bool *bad)
{
	const char *v = param(key);

	*bad = false;
	if (!v)
		return false;
	*bad = !parse_u64(v, out);
	return true;
}
