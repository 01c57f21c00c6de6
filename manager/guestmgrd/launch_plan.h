/* What one launch of a guest will run: its package's config merged with
 * the Launch overrides (as Fuchsia's guest manager merges: scalars
 * replace, cmdline_add and block_devices append), every field checked.
 * Anything wrong is a BAD_CONFIG whose message names the field. */
#ifndef MANAGER_GUESTMGRD_LAUNCH_PLAN_H
#define MANAGER_GUESTMGRD_LAUNCH_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLAN_PATH_MAX 1400
#define PLAN_MAX_BLOCKS 17	/* the persistent disk, 8 from the package, 8 from the client */
#define PLAN_MAX_BACKING 8

enum block_source { BLOCK_FROM_PACKAGE, BLOCK_FROM_STORAGE, BLOCK_FROM_CLIENT };

struct block_plan {
	char id[21];
	char format[8];		/* raw, qcow2 */
	char mode[16];		/* read_write, read_only, volatile_write */
	enum block_source source;
	char path[PLAN_PATH_MAX];	/* package and storage disks */
	int fd;				/* a client's disk: owned by the plan */
	int backing_fds[PLAN_MAX_BACKING];
	size_t nbacking;
};

struct launch_plan {
	char kernel[PLAN_PATH_MAX];
	char ramdisk[PLAN_PATH_MAX];	/* "" when none */
	char dtb_overlay[PLAN_PATH_MAX];
	json_t *cmdline;		/* string or NULL */
	json_t *cmdline_add;		/* array (package's, then the client's) */
	unsigned cpus;
	uint64_t guest_memory;
	bool console, rng;
	bool has_storage;
	char storage_id[21];
	uint64_t storage_size;
	struct block_plan blocks[PLAN_MAX_BLOCKS];
	size_t nblocks;
};

/* PACKAGE (validated against guest-config) from PACKAGE_DIR, OVERRIDES
 * (NULL or a JSON object, checked here) with the request's FDS (NFDS,
 * taken over by the plan only on success: the fds the plan does not use
 * stay the caller's). STORAGE_PATH is where the persistent disk lives. */
int launch_plan_make(struct launch_plan *plan, const json_t *package, const char *package_dir,
		     const json_t *overrides, int *fds, size_t nfds, const char *storage_path,
		     char *err, size_t errlen);

void launch_plan_free(struct launch_plan *plan);

/* fuchsia.virtualization.GuestDescriptor of the plan (protocol.json's
 * guest_descriptor). */
json_t *launch_plan_descriptor(const struct launch_plan *plan);

#endif
