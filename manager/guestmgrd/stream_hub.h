/* One guest byte stream shared by many clients: the serial port (the
 * vmm's COM1 socket) or the virtio-console (the device's console socket).
 * What the guest writes goes to every attached client, to a log file, and
 * into a backlog that a client attaching later gets first (the last
 * GM_SERIAL_BACKLOG_BYTES); what any client writes is the guest's input.
 * A client that does not read is dropped once its queue is full: it never
 * holds up the guest or the others. */
#ifndef MANAGER_GUESTMGRD_STREAM_HUB_H
#define MANAGER_GUESTMGRD_STREAM_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/protocol.h"

struct event_base;
struct hub_client;

struct stream_hub {
	char name[160];			/* "guest 'debian' serial", for the log */
	struct event_base *base;
	int guest_fd;			/* -1: closed */
	struct event *guest_read, *guest_write;
	uint8_t backlog[GM_SERIAL_BACKLOG_BYTES];
	size_t backlog_start, backlog_len;
	uint8_t input[4096];		/* from clients, on the way to the guest */
	size_t input_len;
	int log_fd;			/* -1: none */
	struct hub_client *clients;
};

/* Takes over GUEST_FD (a stream socket); LOG_PATH may be NULL. */
int hub_open(struct stream_hub *hub, struct event_base *base, const char *name, int guest_fd,
	     const char *log_path, char *err, size_t errlen);

/* A new client: returns the socket to hand to it (the caller sends and
 * closes it), which first reads the backlog. -1 with err on failure. */
int hub_attach(struct stream_hub *hub, char *err, size_t errlen);

/* Reads what the guest wrote and has not been read yet (the guest is
 * gone), then closes the guest side and every client (they read end of
 * file after their queue). */
void hub_close(struct stream_hub *hub);

#endif
