/* A process the daemon spawned (a vmm or a device) and watches through a
 * pidfd in the event loop: it gets exactly the fds it is given (as fds 3,
 * 4, ...), /dev/null as stdin, and a pipe as stdout and stderr whose lines
 * the daemon logs under the child's name and keeps the last of, for error
 * messages ("device virtio-blk 'root': disk 'x.qcow2': ..."). */
#ifndef MANAGER_GUESTMGRD_CHILD_H
#define MANAGER_GUESTMGRD_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct event_base;
struct event;
struct child;

typedef void (*child_exit_fn)(struct child *c, void *ctx);

struct child {
	char name[96];		/* "vmm", "virtio-blk 'root'" */
	char log_prefix[160];	/* "guest 'debian': virtio-blk 'root'" */
	pid_t pid;		/* 0: not running */
	int pidfd;
	struct event *exit_ev;
	int out_fd;
	struct event *out_ev;
	char partial[512];	/* output line not yet ended */
	size_t partial_len;
	char last_line[512];	/* the last line it wrote */
	bool exited;
	int wait_status;
	child_exit_fn on_exit;
	void *ctx;
};

/* The most fds a child is given (a device: its vhost-user socket and a
 * disk's chain of images; the vmm gets its files through its socket). */
#define CHILD_MAX_FDS 64

struct child_spec {
	const char *path;
	const char *const *argv;	/* argv[0] included, NULL terminated */
	const int *fds;			/* become 3, 4, ... in the child */
	size_t nfds;
};

/* Starts the process. On error (err set) nothing was started. */
int child_spawn(struct child *c, struct event_base *base, const struct child_spec *spec,
		child_exit_fn on_exit, void *ctx, char *err, size_t errlen);

/* Sends SIG unless the child has exited already. */
void child_signal(struct child *c, int sig);

/* "exited with status 2", "killed by signal 31 (SIGSYS)". */
void child_describe_exit(const struct child *c, char *buf, size_t len);

/* Frees the events and closes the fds of a child that has exited. */
void child_release(struct child *c);

#endif
