/* guestmgrd's state: one struct, one event loop. */
#ifndef MANAGER_GUESTMGRD_DAEMON_H
#define MANAGER_GUESTMGRD_DAEMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipc/protocol.h"
#include "manager/guestmgrd/daemon_config.h"

struct event_base;
struct event;
struct guest;
struct client;
struct ipc_schema;

/* A listening socket: control (every method) or monitor (read-only). */
struct listener {
	struct daemon *daemon;
	char path[DAEMON_PATH_MAX + 64];	/* ours to unlink at exit; "" for systemd's */
	int fd;
	enum gm_access access;
	struct event *ev;
};

/* Manager/Realm (the older API): an environment holding instances. */
struct realm {
	unsigned id;
	char label[64];
	struct realm *next;
};

#define UID_SLOTS 65536

struct daemon {
	struct daemon_config cfg;
	const char *vmm_path;		/* guestmgr-vmm */
	const char *device_dir;		/* virtio-blk, virtio-rng, virtio-console */
	struct event_base *base;
	struct listener listeners[2];
	size_t nlisteners;
	struct guest *guests;
	struct client *clients;
	unsigned nclients;
	uint64_t next_client_id;
	struct realm *realms;
	unsigned next_realm_id;
	unsigned next_cid;
	uint8_t uid_used[UID_SLOTS / 8];	/* uid_base + i runs a child now */
	struct ipc_schema *request_schemas[GM_METHOD_COUNT];
	struct ipc_schema *vmm_schemas[GM_VMM_MESSAGE_COUNT];
	bool stopping;
	struct event *stop_ev[3];
};

/* An unprivileged uid (and gid) for one child process, unused by any
 * other child now; -1 when all are taken. */
long daemon_take_uid(struct daemon *d);
void daemon_put_uid(struct daemon *d, long uid);

/* Tells systemd (when it started us) what we are doing. */
void daemon_notify_status(struct daemon *d);

/* Called whenever the last guest of a stopping daemon has stopped. */
void daemon_maybe_exit(struct daemon *d);

#endif
