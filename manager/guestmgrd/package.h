/* Guest packages: a directory NAME/ under one of the daemon's package
 * directories, holding guest.json (schemas/guest-config.schema.json) and
 * the files it names. A package is read again at each Launch, so an
 * updated package takes effect at the next launch. */
#ifndef MANAGER_GUESTMGRD_PACKAGE_H
#define MANAGER_GUESTMGRD_PACKAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "manager/guestmgrd/daemon_config.h"

#define PACKAGE_CONFIG "guest.json"

/* Calls FN for each package name found (earlier directories hide later
 * ones with the same name), in name order. */
void package_list(const struct daemon_config *cfg,
		  void (*fn)(const char *name, const char *dir, void *ctx), void *ctx);

/* True when NAME is a well-formed package name ([a-z0-9][a-z0-9_-]*, at
 * most GM_MAX_GUEST_NAME bytes): it becomes a path component. */
bool package_name_ok(const char *name);

/* The package's config, validated against guest-config, or NULL with the
 * reason ("package 'debian': guest.json: field 'cpus': ..."). DIR gets the
 * package directory. */
json_t *package_load(const struct daemon_config *cfg, const char *name, char *dir, size_t dirlen,
		     char *err, size_t errlen);

#endif
