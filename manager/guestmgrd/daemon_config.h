/* guestmgrd's own config (schemas/guestmgrd.schema.json), defaults filled
 * in. An absent file at the default path means all defaults; an absent
 * file given with --config is an error. */
#ifndef MANAGER_GUESTMGRD_DAEMON_CONFIG_H
#define MANAGER_GUESTMGRD_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DAEMON_MAX_PACKAGE_DIRS 16
#define DAEMON_PATH_MAX 1024

struct daemon_config {
	char package_dirs[DAEMON_MAX_PACKAGE_DIRS][DAEMON_PATH_MAX];
	size_t npackage_dirs;
	char state_dir[DAEMON_PATH_MAX];
	char run_dir[DAEMON_PATH_MAX];
	gid_t control_gid;	/* 0: root's group only */
	char control_group[65];
	unsigned long uid_base;
};

/* Loads PATH; REQUIRED says whether a missing file is an error. */
int daemon_config_load(struct daemon_config *cfg, const char *path, bool required, char *err,
		       size_t errlen);

#endif
