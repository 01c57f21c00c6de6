/* A named guest: one per installed package (GuestManager's guests) and one
 * per realm instance. Its status changes only in lifecycle.c; a run (one
 * launch's processes) lives in run.c. */
#ifndef MANAGER_GUESTMGRD_GUEST_H
#define MANAGER_GUESTMGRD_GUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ipc/protocol.h"
#include "manager/guestmgrd/stream_hub.h"

struct run;
struct daemon;

/* A request waiting for the guest to get somewhere: the client, the
 * request id its reply carries, and its result should it succeed. */
struct waiter {
	uint64_t client_id;
	json_t *request_id;
	json_t *result;
	struct waiter *next;
};

struct stop_reason {
	enum gm_stop_cause cause;
	char message[512];
	int exit_status;	/* -1: none */
	int signal;		/* 0: none */
	int guest_error;	/* GuestError number; 0 when the guest stopped itself */
	int launch_error;	/* for a Launch that never ran: its GuestManagerError
				 * (0: START_FAILURE) */
};

struct guest {
	struct daemon *daemon;
	char name[GM_MAX_GUEST_NAME + 24];	/* packages: their name; instances: realmN-cidM */
	char package[GM_MAX_GUEST_NAME + 1];
	enum gm_guest_status status;		/* lifecycle.c writes it, nobody else */
	bool autostart;
	unsigned launches;
	struct timespec running_since;		/* CLOCK_MONOTONIC */
	json_t *descriptor;			/* of the last launch */
	bool stopped_before;
	struct stop_reason last_stop;
	char device_death[512];			/* a device that died in the last run */
	struct run *run;			/* STARTING, RUNNING, STOPPING */
	struct waiter *launch_waiters;		/* replied at RUNNING or when the start fails */
	struct waiter *stop_waiters;		/* replied once every process is gone */
	struct stream_hub serial, console;
	/* realm instances */
	unsigned realm_id;
	unsigned cid;
	char label[64];
	struct guest *next;
};

struct guest *guest_find(struct daemon *d, const char *name);
struct guest *guest_add(struct daemon *d, const char *name, const char *package);

/* Nanoseconds since RUNNING, 0 when not running. */
int64_t guest_uptime_ns(const struct guest *g);

bool guest_active(const struct guest *g);	/* STARTING, RUNNING or STOPPING */

/* RESULT (stolen) is the reply should the wait end well. */
void waiter_add(struct waiter **list, uint64_t client_id, json_t *request_id, json_t *result);

/* Replies to every waiter of LIST, with its result when DOMAIN is NULL,
 * else with the error; empties the list. */
void waiters_reply(struct daemon *d, struct waiter **list, const struct gm_enum *domain,
		   int number, const char *message);

#endif
