/* Merging a package's config with Launch overrides, and checking it
 * (launch_plan.h). */
#include "manager/guestmgrd/launch_plan.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipc/decode.h"
#include "ipc/schema.h"

#define DEFAULT_MEMORY (1ull << 30)
#define CMDLINE_MAX 2047	/* the vmm's limit for the joined line */

/* Fields only a package may set. */
static const char *const package_only[] = {
	"kernel_type", "kernel", "ramdisk", "dtb_overlay", "autostart", "storage", NULL,
};

/* FIDL GuestConfig fields whose device this version does not have. */
static const struct {
	const char *field;
	const char *device;
} missing_devices[] = {
	{ "virtio_balloon", "virtio-balloon" }, { "virtio_vsock", "virtio-vsock" },
	{ "virtio_gpu", "virtio-gpu" },		{ "virtio_sound", "virtio-sound" },
	{ "virtio_mem", "virtio-mem" },		{ "default_net", "virtio-net" },
};

/* Arrays a Launch appends to; everything else it replaces. */
static bool appends(const char *key)
{
	return !strcmp(key, "cmdline_add") || !strcmp(key, "block_devices") ||
	       !strcmp(key, "net_devices");
}

static int check_overrides(const json_t *overrides, char *err, size_t errlen)
{
	char msg[IPC_SCHEMA_ERR_MAX];
	struct ipc_schema *schema = ipc_schema_get("guest-config", msg, sizeof(msg));
	int rc = schema ? ipc_schema_validate(schema, overrides, msg, sizeof(msg)) : -1;

	ipc_schema_free(schema);
	if (rc < 0) {
		snprintf(err, errlen, "config: %s", msg);
		return -1;
	}
	for (const char *const *f = package_only; *f; f++)
		if (json_object_get(overrides, *f)) {
			snprintf(err, errlen, "config: field '%s': comes from the package; a Launch cannot set it",
				 *f);
			return -1;
		}
	return 0;
}

/* The package's config with the overrides merged in (a new reference). */
static json_t *merge(const json_t *package, const json_t *overrides)
{
	json_t *merged = json_deep_copy(package);
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)overrides, key, v) {
		json_t *mine = json_object_get(merged, key);

		if (appends(key) && mine)
			json_array_extend(mine, v);
		else
			json_object_set(merged, key, v);
	}
	return merged;
}

static int refuse_missing_devices(const json_t *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(missing_devices) / sizeof(missing_devices[0]); i++)
		if (json_is_true(json_object_get(cfg, missing_devices[i].field))) {
			snprintf(err, errlen, "field '%s': no %s device in this version",
				 missing_devices[i].field, missing_devices[i].device);
			return -1;
		}
	if (json_array_size(json_object_get(cfg, "net_devices"))) {
		snprintf(err, errlen, "field 'net_devices': no virtio-net device in this version");
		return -1;
	}
	if (!strcmp(json_string_value(json_object_get(cfg, "kernel_type")) ?: "linux", "zircon")) {
		snprintf(err, errlen, "field 'kernel_type': Zircon kernels do not boot here");
		return -1;
	}
	return 0;
}

/* A file named by the package: inside its directory, no way out. */
static int package_path(char *out, const char *dir, const char *field, const char *name,
			char *err, size_t errlen)
{
	struct stat st;

	if (name[0] == '/' || !strncmp(name, "../", 3) || strstr(name, "/../") ||
	    !strcmp(name, "..")) {
		snprintf(err, errlen, "field '%s': '%s' is not inside the package", field, name);
		return -1;
	}
	snprintf(out, PLAN_PATH_MAX, "%s/%s", dir, name);
	if (stat(out, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "field '%s': '%s' is not a file of the package", field, name);
		return -1;
	}
	return 0;
}

static int machine(struct launch_plan *plan, const json_t *cfg, const char *dir, char *err,
		   size_t errlen)
{
	const json_t *cpus = json_object_get(cfg, "cpus");
	const json_t *mem = json_object_get(cfg, "guest_memory");
	const json_t *kernel = json_object_get(cfg, "kernel");
	size_t cmdline_len = json_string_length(json_object_get(cfg, "cmdline"));
	size_t i;
	json_t *v;

	if (!kernel) {
		snprintf(err, errlen, "field 'kernel': the package names no kernel");
		return -1;
	}
	if (package_path(plan->kernel, dir, "kernel", json_string_value(kernel), err, errlen) < 0)
		return -1;
	if (json_object_get(cfg, "ramdisk") &&
	    package_path(plan->ramdisk, dir, "ramdisk",
			 json_string_value(json_object_get(cfg, "ramdisk")), err, errlen) < 0)
		return -1;
	if (json_object_get(cfg, "dtb_overlay") &&
	    package_path(plan->dtb_overlay, dir, "dtb_overlay",
			 json_string_value(json_object_get(cfg, "dtb_overlay")), err, errlen) < 0)
		return -1;
	plan->cpus = cpus ? (unsigned)json_integer_value(cpus) : 1;
	plan->guest_memory = mem ? (uint64_t)json_integer_value(mem) : DEFAULT_MEMORY;
	if (plan->guest_memory % 4096) {
		snprintf(err, errlen, "field 'guest_memory': %llu is not a multiple of 4096",
			 (unsigned long long)plan->guest_memory);
		return -1;
	}
	plan->cmdline = json_incref(json_object_get(cfg, "cmdline"));
	plan->cmdline_add = json_incref(json_object_get(cfg, "cmdline_add"));
	json_array_foreach(plan->cmdline_add, i, v)
		cmdline_len += 1 + json_string_length(v);
	if (cmdline_len > CMDLINE_MAX) {
		snprintf(err, errlen, "field 'cmdline_add': the command line joined is %zu bytes, at most %d",
			 cmdline_len, CMDLINE_MAX);
		return -1;
	}
	plan->console = json_is_true(json_object_get(cfg, "virtio_console"));
	plan->rng = json_is_true(json_object_get(cfg, "virtio_rng"));
	return 0;
}

static int add_storage(struct launch_plan *plan, const json_t *cfg, const char *storage_path)
{
	const json_t *storage = json_object_get(cfg, "storage");
	struct block_plan *b = &plan->blocks[plan->nblocks];

	if (!storage)
		return 0;
	plan->has_storage = true;
	snprintf(plan->storage_id, sizeof(plan->storage_id), "%s",
		 json_string_value(json_object_get(storage, "id")));
	plan->storage_size = (uint64_t)json_integer_value(json_object_get(storage, "size"));
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	snprintf(b->id, sizeof(b->id), "%s", plan->storage_id);
	snprintf(b->format, sizeof(b->format), "raw");
	snprintf(b->mode, sizeof(b->mode), "read_write");
	b->source = BLOCK_FROM_STORAGE;
	snprintf(b->path, sizeof(b->path), "%s", storage_path);
	plan->nblocks++;
	return 0;
}

/* Index fd N of the request, checked. */
static int request_fd(const json_t *ref, const int *fds, size_t nfds, const char *field,
		      int *out, char *err, size_t errlen)
{
	json_int_t n = json_integer_value(json_object_get(ref, "fd"));

	if ((size_t)n >= nfds || fds[n] < 0) {
		snprintf(err, errlen, "field '%s': fd %lld was not attached to the request", field,
			 (long long)n);
		return -1;
	}
	*out = fds[n];
	return 0;
}

/* A client's image: a file or block device, opened for what the mode needs. */
static int check_client_fd(int fd, const char *mode, const char *field, char *err, size_t errlen)
{
	struct stat st;
	int flags = fcntl(fd, F_GETFL);

	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "field '%s': not a regular file or block device", field);
		return -1;
	}
	if (!strcmp(mode, "read_write") && (flags & O_ACCMODE) != O_RDWR) {
		snprintf(err, errlen, "field '%s': read_write needs an fd opened read-write", field);
		return -1;
	}
	return 0;
}

static int add_block(struct launch_plan *plan, const json_t *d, bool from_client, const char *dir,
		     const int *fds, size_t nfds, size_t index, char *err, size_t errlen)
{
	struct block_plan *b = &plan->blocks[plan->nblocks];
	const json_t *file = json_object_get(d, "file"), *backing = json_object_get(d, "backing");
	char field[96];
	size_t i;
	json_t *v;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	snprintf(b->id, sizeof(b->id), "%s", json_string_value(json_object_get(d, "id")));
	snprintf(b->format, sizeof(b->format), "%s",
		 json_string_value(json_object_get(d, "format")) ?: "raw");
	snprintf(b->mode, sizeof(b->mode), "%s",
		 json_string_value(json_object_get(d, "mode")) ?: "read_write");
	snprintf(field, sizeof(field), "block_devices[%zu].file", index);
	if (!from_client) {
		if (!json_is_string(file)) {
			snprintf(err, errlen, "field '%s': a package names its disks by path", field);
			return -1;
		}
		if (!strcmp(b->mode, "read_write")) {
			snprintf(err, errlen,
				 "field 'block_devices[%zu].mode': a package's own disk is read_only or volatile_write",
				 index);
			return -1;
		}
		if (backing) {
			snprintf(err, errlen, "field 'block_devices[%zu].backing': only for a client's image",
				 index);
			return -1;
		}
		b->source = BLOCK_FROM_PACKAGE;
		if (package_path(b->path, dir, field, json_string_value(file), err, errlen) < 0)
			return -1;
		plan->nblocks++;
		return 0;
	}
	if (!json_is_object(file)) {
		snprintf(err, errlen, "field '%s': the daemon opens no path a client names: send an open fd",
			 field);
		return -1;
	}
	b->source = BLOCK_FROM_CLIENT;
	if (request_fd(file, fds, nfds, field, &b->fd, err, errlen) < 0 ||
	    check_client_fd(b->fd, b->mode, field, err, errlen) < 0)
		return -1;
	if (backing && strcmp(b->format, "qcow2")) {
		snprintf(err, errlen, "field 'block_devices[%zu].backing': only a qcow2 image has one",
			 index);
		return -1;
	}
	json_array_foreach(backing, i, v) {
		snprintf(field, sizeof(field), "block_devices[%zu].backing[%zu]", index, i);
		if (request_fd(v, fds, nfds, field, &b->backing_fds[i], err, errlen) < 0 ||
		    check_client_fd(b->backing_fds[i], "read_only", field, err, errlen) < 0)
			return -1;
		b->nbacking++;
	}
	plan->nblocks++;
	return 0;
}

static int blocks(struct launch_plan *plan, const json_t *package, const json_t *overrides,
		  const char *dir, const int *fds, size_t nfds, char *err, size_t errlen)
{
	const json_t *mine = json_object_get(package, "block_devices");
	const json_t *theirs = json_object_get(overrides, "block_devices");
	size_t i, n = json_array_size(mine);
	json_t *d;

	json_array_foreach(mine, i, d)
		if (add_block(plan, d, false, dir, fds, nfds, i, err, errlen) < 0)
			return -1;
	json_array_foreach(theirs, i, d)
		if (add_block(plan, d, true, dir, fds, nfds, n + i, err, errlen) < 0)
			return -1;
	/* Ids are the disks' serials: two alike could not be told apart. */
	for (i = 0; i < plan->nblocks; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(plan->blocks[i].id, plan->blocks[j].id)) {
				snprintf(err, errlen, "field 'block_devices': two disks with id '%s'",
					 plan->blocks[i].id);
				return -1;
			}
	return 0;
}

/* The fds the plan took: set to -1 in the caller's array. */
static void take_fds(const struct launch_plan *plan, int *fds, size_t nfds)
{
	for (size_t i = 0; i < nfds; i++)
		for (size_t b = 0; b < plan->nblocks; b++) {
			const struct block_plan *bp = &plan->blocks[b];

			if (bp->fd == fds[i])
				fds[i] = -1;
			for (size_t k = 0; k < bp->nbacking; k++)
				if (bp->backing_fds[k] == fds[i])
					fds[i] = -1;
		}
}

int launch_plan_make(struct launch_plan *plan, const json_t *package, const char *package_dir,
		     const json_t *overrides, int *fds, size_t nfds, const char *storage_path,
		     char *err, size_t errlen)
{
	json_t *empty = json_object();
	json_t *merged;
	int rc = -1;

	memset(plan, 0, sizeof(*plan));
	if (!overrides)
		overrides = empty;
	if (check_overrides(overrides, err, errlen) < 0) {
		json_decref(empty);
		return -1;
	}
	merged = merge(package, overrides);
	if (refuse_missing_devices(merged, err, errlen) == 0 &&
	    machine(plan, merged, package_dir, err, errlen) == 0 &&
	    add_storage(plan, merged, storage_path) == 0 &&
	    blocks(plan, package, overrides, package_dir, fds, nfds, err, errlen) == 0)
		rc = 0;
	json_decref(merged);
	json_decref(empty);
	if (rc < 0) {
		/* Nothing taken: the client's fds are still the caller's. */
		for (size_t b = 0; b < plan->nblocks; b++) {
			plan->blocks[b].fd = -1;
			plan->blocks[b].nbacking = 0;
		}
		launch_plan_free(plan);
		return -1;
	}
	take_fds(plan, fds, nfds);
	return 0;
}

void launch_plan_free(struct launch_plan *plan)
{
	for (size_t b = 0; b < plan->nblocks; b++) {
		struct block_plan *bp = &plan->blocks[b];

		if (bp->fd >= 0)
			close(bp->fd);
		for (size_t k = 0; k < bp->nbacking; k++)
			close(bp->backing_fds[k]);
		bp->fd = -1;
		bp->nbacking = 0;
	}
	json_decref(plan->cmdline);
	json_decref(plan->cmdline_add);
	plan->cmdline = plan->cmdline_add = NULL;
	plan->nblocks = 0;
}

static const char *source_name(enum block_source s)
{
	return s == BLOCK_FROM_PACKAGE ? "package" : s == BLOCK_FROM_STORAGE ? "storage" : "client";
}

json_t *launch_plan_descriptor(const struct launch_plan *plan)
{
	json_t *disks = json_array();

	for (size_t b = 0; b < plan->nblocks; b++) {
		const struct block_plan *bp = &plan->blocks[b];

		json_array_append_new(disks, json_pack("{s:s, s:s, s:s, s:s}", "id", bp->id, "format",
						       bp->format, "mode", bp->mode, "source",
						       source_name(bp->source)));
	}
	return json_pack("{s:i, s:I, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:[], s:b, s:o}",
			 "num_cpus", (int)plan->cpus, "guest_memory", (json_int_t)plan->guest_memory,
			 "wayland", 0, "magma", 0, "balloon", 0, "console", plan->console, "gpu", 0,
			 "rng", plan->rng, "vsock", 0, "sound", 0, "networks", "mem", 0,
			 "block_devices", disks);
}
