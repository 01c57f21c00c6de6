/* The options that shape a launch (guestctl.h: launch_options). Disk
 * images are opened here, as the user running guestctl, and travel to
 * guestmgrd as fds: the daemon never opens a path a client names. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/disk/disk.h"
#include "manager/guestctl/guestctl.h"

/* "512M", "2G", "1048576": bytes. */
static int parse_size(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static json_t *fd_ref(struct launch_options *lo, int fd)
{
	lo->fds[lo->nfds] = fd;
	return json_pack("{s:i}", "fd", (int)lo->nfds++);
}

/* A qcow2 image's backing chain, opened here with the user's rights and
 * sent as fds, nearest first: the daemon never opens a file by name for a
 * client, and the device takes the chain only as fds. */
static int add_backing_chain(struct ctl *ctl, struct launch_options *lo, int fd, const char *path,
			     json_t *disk)
{
	char image[4096], next[4096], err[1024];
	json_t *chain = json_array();
	struct disk_backing_ref ref;

	snprintf(image, sizeof(image), "%s", path);
	json_object_set_new(disk, "backing", chain);
	for (;;) {
		if (disk_qcow2_backing(fd, &ref, err, sizeof(err)) < 0) {
			fprintf(stderr, "guestctl %s: --block '%s': %s\n", ctl->command, image, err);
			return EXIT_USAGE;
		}
		if (!ref.name[0])
			break;
		if (lo->nfds >= LAUNCH_MAX_FDS) {
			fprintf(stderr, "guestctl %s: --block '%s': more than %d images in all\n",
				ctl->command, path, LAUNCH_MAX_FDS);
			return EXIT_USAGE;
		}
		fd = disk_open_backing_file(DISK_BACKING_ANY, image, ref.name, next, sizeof(next), err,
					    sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "guestctl %s: --block '%s': backing file of '%s': %s\n",
				ctl->command, path, image, err);
			return EXIT_USAGE;
		}
		json_array_append_new(chain, fd_ref(lo, fd));
		if (ref.format != DISK_FORMAT_QCOW2)
			break;
		snprintf(image, sizeof(image), "%s", next);
	}
	if (!json_array_size(chain))
		json_object_del(disk, "backing");
	return EXIT_DONE;
}

/* PATH[:ro|:volatile][:qcow2]: the disk's id is its file name. */
static int add_block(struct ctl *ctl, struct launch_options *lo, const char *arg)
{
	char path[4096], *colon;
	const char *mode = "read_write", *format = "raw";

	snprintf(path, sizeof(path), "%s", arg);
	while ((colon = strrchr(path, ':'))) {
		if (!strcmp(colon, ":ro"))
			mode = "read_only";
		else if (!strcmp(colon, ":volatile"))
			mode = "volatile_write";
		else if (!strcmp(colon, ":qcow2"))
			format = "qcow2";
		else
			break;
		*colon = 0;
	}
	if (lo->nfds >= LAUNCH_MAX_FDS)
		return ctl_usage(ctl, "--block: more than %d disks", LAUNCH_MAX_FDS);
	int fd = open(path, (strcmp(mode, "read_write") ? O_RDONLY : O_RDWR) | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "guestctl %s: --block '%s': %s\n", ctl->command, path, strerror(errno));
		return EXIT_USAGE;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char id[21];

	snprintf(id, sizeof(id), "%.20s", base);	/* a disk serial holds 20 bytes */
	json_t *devs = json_object_get(lo->overrides, "block_devices");

	if (!devs) {
		devs = json_array();
		json_object_set_new(lo->overrides, "block_devices", devs);
	}
	json_t *disk = json_pack("{s:s, s:o, s:s, s:s}", "id", id, "file", fd_ref(lo, fd), "mode",
				 mode, "format", format);

	json_array_append_new(devs, disk);
	return strcmp(format, "qcow2") ? EXIT_DONE : add_backing_chain(ctl, lo, fd, path, disk);
}

int launch_options_parse(struct ctl *ctl, int argc, char **argv, struct launch_options *lo)
{
	static const struct option longopts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cmdline-add", required_argument, NULL, 'a' },
		{ "block", required_argument, NULL, 'b' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	long long v;
	int c;

	memset(lo, 0, sizeof(*lo));
	lo->overrides = json_object();
	optind = 0;	/* a full reset: main parsed the global options */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_size(optarg, &v) < 0 || v > 255) {
				ctl_usage(ctl, "--cpus '%s': not a number of vCPUs", optarg);
				return -1;
			}
			json_object_set_new(lo->overrides, "cpus", json_integer(v));
			break;
		case 'm':
			if (parse_size(optarg, &v) < 0) {
				ctl_usage(ctl, "--memory '%s': not a size (512M, 2G)", optarg);
				return -1;
			}
			json_object_set_new(lo->overrides, "guest_memory", json_integer(v));
			break;
		case 'a':
			if (!json_object_get(lo->overrides, "cmdline_add"))
				json_object_set_new(lo->overrides, "cmdline_add", json_array());
			json_array_append_new(json_object_get(lo->overrides, "cmdline_add"),
					      json_string(optarg));
			break;
		case 'b':
			if (add_block(ctl, lo, optarg) != EXIT_DONE)
				return -1;
			break;
		case 'l':
			lo->label = optarg;
			break;
		default:
			ctl_usage(ctl, "unknown option");
			return -1;
		}
	}
	return optind;
}

void launch_options_free(struct launch_options *lo)
{
	for (size_t i = 0; i < lo->nfds; i++)
		close(lo->fds[i]);
	json_decref(lo->overrides);
	lo->nfds = 0;
	lo->overrides = NULL;
}
