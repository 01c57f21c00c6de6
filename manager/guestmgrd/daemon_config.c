/* Loading guestmgrd.json (daemon_config.h). */
#include "manager/guestmgrd/daemon_config.h"

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ipc/decode.h"
#include "ipc/schema.h"

#define CONFIG_FILE_MAX (64 * 1024)

static void defaults(struct daemon_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->package_dirs[0], DAEMON_PATH_MAX, "%s/guestmgr/packages", SYSCONFDIR);
	snprintf(cfg->package_dirs[1], DAEMON_PATH_MAX, "%s/guestmgr/packages", DATADIR);
	cfg->npackage_dirs = 2;
	snprintf(cfg->state_dir, DAEMON_PATH_MAX, "%s/lib/guestmgr", LOCALSTATEDIR);
	snprintf(cfg->run_dir, DAEMON_PATH_MAX, "%s/guestmgr", RUNSTATEDIR);
	/* Past the range devices started by hand take (SANDBOX_UID_BASE plus
	 * a pid, pids below 2^22): the two never meet. */
	cfg->uid_base = SANDBOX_UID_BASE + (1ul << 24);
}

static void copy_string(char *dst, size_t len, const json_t *v)
{
	if (v)
		snprintf(dst, len, "%s", json_string_value(v));
}

static int apply(struct daemon_config *cfg, const json_t *doc, char *err, size_t errlen)
{
	const json_t *dirs = json_object_get(doc, "package_dirs");
	const json_t *group = json_object_get(doc, "control_group");
	const json_t *uid_base = json_object_get(doc, "uid_base");

	if (dirs) {
		cfg->npackage_dirs = json_array_size(dirs);
		for (size_t i = 0; i < cfg->npackage_dirs; i++)
			copy_string(cfg->package_dirs[i], DAEMON_PATH_MAX, json_array_get(dirs, i));
	}
	copy_string(cfg->state_dir, sizeof(cfg->state_dir), json_object_get(doc, "state_dir"));
	copy_string(cfg->run_dir, sizeof(cfg->run_dir), json_object_get(doc, "run_dir"));
	if (uid_base)
		cfg->uid_base = (unsigned long)json_integer_value(uid_base);
	if (group) {
		struct group *g;

		copy_string(cfg->control_group, sizeof(cfg->control_group), group);
		errno = 0;
		g = getgrnam(cfg->control_group);
		if (!g) {
			snprintf(err, errlen, "field 'control_group': no group '%s'%s%s",
				 cfg->control_group, errno ? ": " : "", errno ? strerror(errno) : "");
			return -1;
		}
		cfg->control_gid = g->gr_gid;
	}
	return 0;
}

int daemon_config_load(struct daemon_config *cfg, const char *path, bool required, char *err,
		       size_t errlen)
{
	static char text[CONFIG_FILE_MAX];
	char msg[IPC_SCHEMA_ERR_MAX];
	FILE *f;
	size_t len;

	defaults(cfg);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !required)
			return 0;
		snprintf(err, errlen, "config '%s': %s", path, strerror(errno));
		return -1;
	}
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (len == sizeof(text)) {
		snprintf(err, errlen, "config '%s': larger than %d bytes", path, CONFIG_FILE_MAX);
		return -1;
	}
	struct ipc_schema *schema = ipc_schema_get("guestmgrd", msg, sizeof(msg));
	json_t *doc = schema ? ipc_decode_json(text, len, schema, msg, sizeof(msg)) : NULL;
	int ret = -1;

	if (!doc)
		snprintf(err, errlen, "config '%s': %s", path, msg);
	else if (apply(cfg, doc, msg, sizeof(msg)) < 0)
		snprintf(err, errlen, "config '%s': %s", path, msg);
	else
		ret = 0;
	json_decref(doc);
	ipc_schema_free(schema);
	return ret;
}
