/* The vmm's end of its control socket to guestmgrd: with --config-fd N,
 * socket N stays open after the launch config came on it, and carries the
 * vmm messages of schemas/protocol.json ("vmm_messages"), on the main
 * thread's libevent loop:
 *
 *   -> {"event":"running"}  once every vCPU thread has entered KVM_RUN
 *   -> {"event":"stopped","exit_status":S,"message":"..."}  right before
 *      the vmm exits with status S (exit_status.h), saying why
 *   <- {"command":"stop"}   stop as on SIGTERM (exit status 3)
 *   <- {"command":"power_button"}  press the ACPI power button (x86/ged.h):
 *      the guest's OS decides what to do (Linux with a handler powers off)
 *
 * The daemon closing its end stops the guest too, with exit status 3: a
 * guest must not run on unsupervised. A malformed command is logged and
 * ignored. */
#ifndef VMM_CONTROL_H
#define VMM_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "ipc/schema.h"
#include "vmm/vm_stop.h"
#include "vmm/x86/ged.h"

/* Commands fit in far less; a bigger one is refused by size, and ignored. */
#define CONTROL_MSG_MAX 4096
#define CONTROL_NCOMMANDS 2	/* stop, power_button */

struct control {
	int sock;			/* borrowed */
	struct vm_stop *stop;
	struct ged *ged;		/* where the power button is */
	unsigned int nvcpus;
	uint64_t vcpus_entered;		/* counted from entered_fd */
	struct ipc_schema *schemas[CONTROL_NCOMMANDS];	/* each command's */
	struct event *sock_ev;
	struct event *entered_ev;
	char buf[CONTROL_MSG_MAX];
};

/* Listens on sock (made non-blocking) for commands, and on entered_fd, an
 * eventfd each of the nvcpus vCPU threads adds 1 to just before its first
 * KVM_RUN, to say "running". */
int control_start(struct control *c, struct event_base *base, int sock, struct vm_stop *stop,
		  struct ged *ged, int entered_fd, unsigned int nvcpus, char *err, size_t errlen);
void control_end(struct control *c);

/* Sends "stopped"; a failure is logged (the daemon may be gone). */
void control_send_stopped(int sock, int exit_status, const char *message);

#endif
