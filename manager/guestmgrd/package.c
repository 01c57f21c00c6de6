/* Finding and reading guest packages (package.h). */
#include "manager/guestmgrd/package.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ipc/decode.h"
#include "ipc/protocol.h"
#include "ipc/schema.h"

#define PACKAGE_CONFIG_MAX (256 * 1024)

bool package_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > GM_MAX_GUEST_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  (i > 0 && (c == '-' || c == '_'));

		if (!ok)
			return false;
	}
	return true;
}

/* The directory holding package NAME, if any. */
static bool find(const struct daemon_config *cfg, const char *name, char *dir, size_t dirlen)
{
	for (size_t i = 0; i < cfg->npackage_dirs; i++) {
		struct stat st;
		char conf[DAEMON_PATH_MAX + 128];

		snprintf(dir, dirlen, "%s/%s", cfg->package_dirs[i], name);
		snprintf(conf, sizeof(conf), "%s/%s", dir, PACKAGE_CONFIG);
		if (stat(conf, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void package_list(const struct daemon_config *cfg,
		  void (*fn)(const char *name, const char *dir, void *ctx), void *ctx)
{
	char **names = NULL;
	size_t n = 0;

	for (size_t i = 0; i < cfg->npackage_dirs; i++) {
		DIR *d = opendir(cfg->package_dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char **more;

			if (!package_name_ok(e->d_name))
				continue;
			more = realloc(names, (n + 1) * sizeof(*names));
			if (!more)
				break;
			names = more;
			names[n++] = strdup(e->d_name);
		}
		if (d)
			closedir(d);
	}
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char dir[DAEMON_PATH_MAX + 128];

		if (names[i] && (i == 0 || !names[i - 1] || strcmp(names[i], names[i - 1])) &&
		    find(cfg, names[i], dir, sizeof(dir)))
			fn(names[i], dir, ctx);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

json_t *package_load(const struct daemon_config *cfg, const char *name, char *dir, size_t dirlen,
		     char *err, size_t errlen)
{
	char path[DAEMON_PATH_MAX + 256], msg[IPC_SCHEMA_ERR_MAX];
	char *text = NULL;
	FILE *f = NULL;
	json_t *doc = NULL;
	size_t len;

	if (!package_name_ok(name) || !find(cfg, name, dir, dirlen)) {
		snprintf(err, errlen, "no guest package '%s'", name);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, PACKAGE_CONFIG);
	text = malloc(PACKAGE_CONFIG_MAX);
	f = fopen(path, "re");
	if (!text || !f) {
		snprintf(err, errlen, "package '%s': %s: %s", name, path, strerror(errno));
		goto out;
	}
	len = fread(text, 1, PACKAGE_CONFIG_MAX, f);
	if (len == PACKAGE_CONFIG_MAX) {
		snprintf(err, errlen, "package '%s': %s: larger than %d bytes", name, path,
			 PACKAGE_CONFIG_MAX);
		goto out;
	}
	struct ipc_schema *schema = ipc_schema_get("guest-config", msg, sizeof(msg));

	doc = schema ? ipc_decode_json(text, len, schema, msg, sizeof(msg)) : NULL;
	ipc_schema_free(schema);
	if (!doc)
		snprintf(err, errlen, "package '%s': %s: %s", name, PACKAGE_CONFIG, msg);
out:
	if (f)
		fclose(f);
	free(text);
	return doc;
}
