/* The launch config (schemas/vmm-config.schema.json) turned into what the
 * vmm runs: every file already open, the command line joined. The schema
 * checks types and ranges; this adds what a schema cannot say. A config
 * comes from a file (--config) or as one message with fds attached
 * (--config-fd); either way, every error names the field. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/x86/layout.h"

#define CONFIG_NAME_MAX 4200

/* An open file of the config: fd -1 when the field is absent. name is
 * how errors call it: "kernel '/abs/path'" or "kernel (fd 3)". */
struct config_file {
	int fd;
	char name[CONFIG_NAME_MAX];
};

#define CONFIG_MAX_VHOST_USER 16

/* A vhost-user device: its virtio device type and its connected socket. */
struct config_vhost_user {
	unsigned int virtio_id;
	char type[16];		/* "blk", as the config says */
	struct config_file socket;
};

struct vmm_config {
	struct config_file kernel;
	struct config_file ramdisk;
	struct config_file dtb_overlay;
	struct config_file serial_in;	/* default: a copy of stdin */
	struct config_file serial_out;	/* default: a copy of stdout */
	struct config_file kvm;		/* -1: none given; config_open_kvm opens /dev/kvm */
	struct config_vhost_user vhost_user[CONFIG_MAX_VHOST_USER];
	unsigned int nvhost_user;
	char cmdline[LAYOUT_CMDLINE_MAX];
	unsigned int cpus;
	uint64_t guest_memory;
};

/* From a file; relative paths are relative to its directory. */
int config_load_file(struct vmm_config *cfg, const char *path, char *err, size_t errlen);

/* From the one message on a SOCK_SEQPACKET socket; {"fd": i} means the
 * message's i-th attached fd; relative paths are relative to the cwd. */
int config_load_socket(struct vmm_config *cfg, int sock, char *err, size_t errlen);

/* Opens /dev/kvm as cfg->kvm unless the config gave an fd for it: before
 * a run, not for --dump-acpi, which needs no KVM. */
int config_open_kvm(struct vmm_config *cfg, char *err, size_t errlen);

void config_free(struct vmm_config *cfg);

#endif
