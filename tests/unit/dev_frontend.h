/* A minimal vhost-user frontend for the device tests: spawns a device
 * program with a connected socket (--fd), hands it a memfd as guest memory
 * and sets up its queues (size DEV_QSIZE) with eventfds, so a test can
 * place descriptors, kick, and look at the used ring. Uses Check asserts. */
#ifndef TESTS_UNIT_DEV_FRONTEND_H
#define TESTS_UNIT_DEV_FRONTEND_H

#include <stdint.h>
#include <sys/types.h>

#include "devices/lib/vhost_user.h"

#define DEV_MEM_SIZE (1 << 20)
#define DEV_QSIZE 8
#define DEV_DATA 0x10000	/* guest address of free space for buffers */

struct dev_frontend {
	pid_t pid;
	int vu_fd, memfd;
	uint8_t *mem;		/* guest address 0 */
	unsigned nqueues;
	int call_fd[VU_MAX_QUEUES], err_fd[VU_MAX_QUEUES], kick_fd[VU_MAX_QUEUES];
};

/* PROGRAM is under $top_builddir/devices/; ARGS (NULL terminated) follow
 * --fd N. */
void frontend_start(struct dev_frontend *f, const char *program, const char *const *args,
		    unsigned nqueues);
/* Hangs up and checks that the device exits 0. */
void frontend_stop(struct dev_frontend *f);

uint64_t frontend_get_u64(struct dev_frontend *f, uint32_t request);
void frontend_get_config(struct dev_frontend *f, void *buf, uint32_t len);

struct vring_desc *frontend_desc(struct dev_frontend *f, unsigned q, unsigned i);
struct vring_used *frontend_used(struct dev_frontend *f, unsigned q);
/* Offers chain HEAD on queue Q and kicks. */
void frontend_offer(struct dev_frontend *f, unsigned q, uint16_t head);
/* Waits (bounded, against a hung device) for FD and drains it. */
void frontend_wait(int fd);

#endif
