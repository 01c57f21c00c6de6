/* The device tests' frontend: spawns a device program with a connected
 * socket (--fd), or takes one someone else started, and brings it up
 * with the vmm's own vhost-user frontend (vmm/virtio/vhost_user_frontend.h)
 * on a memfd of DEV_MEM_SIZE as guest memory, queues of DEV_QSIZE with
 * eventfds; a test then places descriptors, kicks, and looks at the used
 * ring. Uses Check asserts. */
#ifndef TESTS_UNIT_DEV_FRONTEND_H
#define TESTS_UNIT_DEV_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "devices/lib/vhost_user.h"
#include "vmm/guest_mem.h"
#include "vmm/virtio/vhost_user_frontend.h"

#define DEV_MEM_SIZE (1 << 20)
#define DEV_QSIZE 8
#define DEV_DATA 0x10000	/* guest address of free space for buffers */

struct dev_frontend {
	pid_t pid;
	struct vhost_user vu;	/* vu.features: what the device offered */
	struct guest_mem gm;
	uint8_t *mem;		/* guest address 0 */
	unsigned nqueues;
	int call_fd[VU_MAX_QUEUES], err_fd[VU_MAX_QUEUES], kick_fd[VU_MAX_QUEUES];
	int stderr_fd;		/* the device's stderr (frontend_start_capturing_stderr), or -1 */
};

/* Starts PROGRAM (under $top_builddir/devices/) on one end of a socketpair
 * with ARGS (NULL terminated) after --fd N; returns the other end. With
 * STDERR_FD, the device's stderr goes to a pipe whose read end is stored
 * there (non-blocking). */
int frontend_spawn(const char *program, const char *const *args, pid_t *pid, int *stderr_fd);

/* For tests that play a hostile frontend: one message as given, and the
 * u64 reply (or REPLY_ACK status) to REQUEST, its header checked. */
void frontend_send_raw(int sock, uint32_t request, uint32_t flags, const void *payload,
		       uint32_t size, const int *fds, unsigned nfds);
uint64_t frontend_recv_u64(int sock, uint32_t request);

/* Reads the device's stderr (bounded in time) until it has said WHAT. */
bool frontend_stderr_has(int stderr_fd, const char *what);

/* Waits (bounded) for the device to exit; its wait status. */
int frontend_wait_exit(pid_t pid);

/* PROGRAM is under $top_builddir/devices/; ARGS (NULL terminated) follow
 * --fd N. */
void frontend_start(struct dev_frontend *f, const char *program, const char *const *args,
		    unsigned nqueues);
/* The same with a device someone else started, on FD, a socket connected
 * to it: f->pid is 0. */
void frontend_attach(struct dev_frontend *f, int fd, unsigned nqueues);
/* frontend_start, with the device's stderr in f->stderr_fd for
 * frontend_stderr_has(). */
void frontend_start_capturing_stderr(struct dev_frontend *f, const char *program,
				     const char *const *args, unsigned nqueues);
/* Stops queue Q (GET_VRING_BASE), clears its rings as a driver reset
 * would, and hands it to the device again. */
void frontend_restart_queue(struct dev_frontend *f, unsigned q);
/* Hangs up and checks that the device, if it was spawned here, exits 0. */
void frontend_stop(struct dev_frontend *f);

void frontend_get_config(struct dev_frontend *f, void *buf, uint32_t len);

struct vring_desc *frontend_desc(struct dev_frontend *f, unsigned q, unsigned i);
struct vring_used *frontend_used(struct dev_frontend *f, unsigned q);
/* Offers chain HEAD on queue Q and kicks. */
void frontend_offer(struct dev_frontend *f, unsigned q, uint16_t head);
/* Waits (bounded, against a hung device) for FD and drains it. */
void frontend_wait(int fd);

#endif
