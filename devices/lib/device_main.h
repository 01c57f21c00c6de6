/* The shared main of every device program, following the backend program
 * conventions of vhost-user.rst:
 *   --socket-path PATH    listen on PATH, serve the one frontend that connects
 *   --fd N                serve the already connected socket N
 *   --print-capabilities  print {"type": ..., "features": [...]} and exit
 * plus the device's own options. Order: options, the device's setup (every
 * file it needs is opened here), the frontend connection, the sandbox, then
 * the event loop until the frontend hangs up. */
#ifndef DEVICES_LIB_DEVICE_MAIN_H
#define DEVICES_LIB_DEVICE_MAIN_H

#include <getopt.h>
#include <stddef.h>

#include "devices/lib/vhost_user.h"

struct event_base;

struct device_program {
	const char *name;		/* "virtio-rng" */
	const char *type;		/* capabilities "type": "block", "rng", ... */
	const char *features_json;	/* capabilities "features" entries, e.g. "\"read-only\"" */
	const char *usage;		/* the device options, one per line */
	const struct option *options;	/* getopt_long entries, {0} terminated; may be NULL */
	int (*parse_option)(int opt, const char *arg, char *err, size_t errlen);
	/* Opens what the device needs and fills dev (ops, priv) before the sandbox. */
	int (*setup)(struct vu_dev *dev, char *err, size_t errlen);
	/* Called in the sandbox with the loop, to watch device fds (console). */
	int (*start)(struct vu_dev *dev, struct event_base *base, char *err, size_t errlen);
	/* Optional: the frontend has gone; write back what the device holds
	 * (a qcow2 image's metadata waits for a flush or the close). */
	void (*stop)(struct vu_dev *dev);
	const char *const *syscalls;	/* on top of the common list, NULL terminated */
};

int device_main(const struct device_program *prog, int argc, char **argv);

/* Parses a non-negative fd number given on the command line. */
int device_parse_fd(const char *opt, const char *arg, int *fd, char *err, size_t errlen);

#endif
