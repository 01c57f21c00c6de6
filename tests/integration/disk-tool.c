/* disk-tool: drives devices/disk/ from the shell tests, one command after
 * another on one open disk (so a volatile disk's writes stay visible).
 *
 *   disk-tool [-f raw|qcow2] [-m rw|ro|volatile] [-b none|same-dir|any]
 *             [-B FILE]... [-c] [-V DIR] [-L BYTES] IMAGE COMMAND...
 *     -b      open backing files by name as disk.h's enum disk_backing says
 *             (default none)
 *     -B      FILE is the next backing file of the chain, passed as an fd
 *     -c      as a client would (guestctl): walk the chain with this
 *             process's rights (disk_qcow2_backing, disk_open_backing_file
 *             anywhere), then open the image as a bare fd with the chain as fds
 *     -V, -L  volatile mode: the overlay's directory and limit
 *     size                       print the disk size in bytes
 *     read OFF LEN FILE          the bytes at OFF to FILE ('-': stdout)
 *     write OFF FILE             FILE's bytes at OFF
 *     zero OFF LEN | zero-unmap OFF LEN | discard OFF LEN | flush
 *     random-writes SEED N REF   N writes of random data at random sector
 *                                offsets and lengths (up to 3 clusters of
 *                                64 KiB, split over several buffers), each
 *                                also written to the raw file REF
 *     compare REF                the whole disk equals the file REF
 *     fill OFF LEN               LEN bytes of 0x5a at OFF, in writes of 1 MiB
 *     peak-rss                   print this process's peak RSS (VmHWM) in KiB
 *     die                        SIGKILL itself: a crash, the disk not closed
 * A failure prints the errno and disk_last_error() and exits 1. */
#include "devices/disk/disk.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct disk *disk;

static void fail(const char *what, int ret)
{
	fprintf(stderr, "disk-tool: %s: %s: %s\n", what, strerror(-ret), disk_last_error(disk));
	exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, "disk-tool: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*s == 0 || *end) {
		fprintf(stderr, "disk-tool: '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("malloc");
	return p;
}

static int cmd_read(uint64_t off, uint64_t len, const char *file)
{
	char *buf = xmalloc(len);
	struct iovec iov = { buf, len };
	int ret = disk_preadv(disk, &iov, 1, off);
	FILE *f;

	if (ret)
		fail("read", ret);
	f = strcmp(file, "-") ? fopen(file, "w") : stdout;
	if (!f || fwrite(buf, 1, len, f) != len || fflush(f))
		die(file);
	if (f != stdout)
		fclose(f);
	free(buf);
	return 4;
}

static char *slurp(const char *file, size_t *len)
{
	int fd = open(file, O_RDONLY);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(file);
	buf = xmalloc((size_t)st.st_size);
	if (read(fd, buf, (size_t)st.st_size) != st.st_size)
		die(file);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static int cmd_write(uint64_t off, const char *file)
{
	size_t len;
	char *buf = slurp(file, &len);
	struct iovec iov = { buf, len };
	int ret = disk_pwritev(disk, &iov, 1, off);

	if (ret)
		fail("write", ret);
	free(buf);
	return 3;
}

/* Writes random data to the disk and to REF alike. */
static int cmd_random_writes(unsigned seed, unsigned count, const char *ref)
{
	uint64_t sectors = disk_size(disk) / 512;
	int fd = open(ref, O_WRONLY);

	if (fd < 0)
		die(ref);
	srandom(seed);
	for (unsigned i = 0; i < count; i++) {
		uint64_t first = (uint64_t)random() % sectors;
		uint64_t n = 1 + (uint64_t)random() % 384;	/* up to 3 clusters of 64 KiB */
		struct iovec iov[3];
		size_t len, cut1, cut2;
		char *buf;
		int ret;

		if (n > sectors - first)
			n = sectors - first;
		len = n * 512;
		buf = xmalloc(len);
		for (size_t k = 0; k < len; k++)
			buf[k] = (char)random();
		/* Three buffers with cuts anywhere, as a guest's may be. */
		cut1 = (size_t)random() % (len + 1);
		cut2 = cut1 + (size_t)random() % (len - cut1 + 1);
		iov[0] = (struct iovec){ buf, cut1 };
		iov[1] = (struct iovec){ buf + cut1, cut2 - cut1 };
		iov[2] = (struct iovec){ buf + cut2, len - cut2 };
		ret = disk_pwritev(disk, iov, 3, first * 512);
		if (ret)
			fail("random-writes", ret);
		if (pwrite(fd, buf, len, (off_t)(first * 512)) != (ssize_t)len)
			die(ref);
		free(buf);
	}
	close(fd);
	return 4;
}

static int cmd_compare(const char *ref)
{
	size_t len;
	char *want = slurp(ref, &len);
	char *got = xmalloc(disk_size(disk));
	struct iovec iov = { got, disk_size(disk) };
	int ret = disk_preadv(disk, &iov, 1, 0);

	if (ret)
		fail("compare", ret);
	if (len != disk_size(disk)) {
		fprintf(stderr, "disk-tool: compare: %s has %zu bytes, the disk %llu\n", ref, len,
			(unsigned long long)disk_size(disk));
		exit(1);
	}
	for (size_t i = 0; i < len; i++)
		if (want[i] != got[i]) {
			fprintf(stderr, "disk-tool: compare: first difference at byte %zu\n", i);
			exit(1);
		}
	free(want);
	free(got);
	return 2;
}

static int cmd_fill(uint64_t off, uint64_t len)
{
	static char buf[1 << 20];
	int ret;

	memset(buf, 0x5a, sizeof(buf));
	for (uint64_t done = 0; done < len;) {
		struct iovec iov = { buf, len - done < sizeof(buf) ? len - done : sizeof(buf) };

		if ((ret = disk_pwritev(disk, &iov, 1, off + done)))
			fail("fill", ret);
		done += iov.iov_len;
	}
	return 3;
}

static int cmd_peak_rss(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			printf("%llu\n", strtoull(line + 6, NULL, 10));
	fclose(f);
	return 1;
}

static int need(int argc, int n, const char *cmd)
{
	if (argc < n) {
		fprintf(stderr, "disk-tool: %s needs %d arguments\n", cmd, n - 1);
		exit(2);
	}
	return n;
}

/* Runs the command at argv[0]; returns how many words it used. */
static int run(int argc, char **argv)
{
	const char *cmd = argv[0];
	int ret;

	if (!strcmp(cmd, "size")) {
		printf("%llu\n", (unsigned long long)disk_size(disk));
		return 1;
	}
	if (!strcmp(cmd, "flush")) {
		if ((ret = disk_flush(disk)))
			fail("flush", ret);
		return 1;
	}
	if (!strcmp(cmd, "read") && need(argc, 4, cmd))
		return cmd_read(num(argv[1]), num(argv[2]), argv[3]);
	if (!strcmp(cmd, "write") && need(argc, 3, cmd))
		return cmd_write(num(argv[1]), argv[2]);
	if (!strcmp(cmd, "zero") || !strcmp(cmd, "zero-unmap")) {
		need(argc, 3, cmd);
		ret = disk_write_zeroes(disk, num(argv[1]), num(argv[2]), !strcmp(cmd, "zero-unmap"));
		if (ret)
			fail(cmd, ret);
		return 3;
	}
	if (!strcmp(cmd, "discard") && need(argc, 3, cmd)) {
		if ((ret = disk_discard(disk, num(argv[1]), num(argv[2]))))
			fail(cmd, ret);
		return 3;
	}
	if (!strcmp(cmd, "random-writes") && need(argc, 4, cmd))
		return cmd_random_writes((unsigned)num(argv[1]), (unsigned)num(argv[2]), argv[3]);
	if (!strcmp(cmd, "compare") && need(argc, 2, cmd))
		return cmd_compare(argv[1]);
	if (!strcmp(cmd, "fill") && need(argc, 3, cmd))
		return cmd_fill(num(argv[1]), num(argv[2]));
	if (!strcmp(cmd, "peak-rss"))
		return cmd_peak_rss();
	if (!strcmp(cmd, "die"))
		raise(SIGKILL);
	fprintf(stderr, "disk-tool: unknown command '%s'\n", cmd);
	exit(2);
}

/* Opens FILE read-only as the next fd of the backing chain. */
static void add_backing_fd(struct disk_open_args *args, int *fds, const char *file)
{
	if (args->nbacking_fds == DISK_MAX_BACKING_DEPTH)
		exit(2);
	fds[args->nbacking_fds] = open(file, O_RDONLY | O_CLOEXEC);
	if (fds[args->nbacking_fds] < 0)
		die(file);
	args->nbacking_fds++;
	args->backing = DISK_BACKING_FDS;
}

/* What guestctl does for a qcow2 image before it sends the fds: read each
 * image's declared backing file and open it with its own rights. */
static void walk_chain(struct disk_open_args *args, int *fds)
{
	struct disk_backing_ref ref;
	char err[512], path[4096], next[4096];
	int fd = args->fd;

	snprintf(path, sizeof(path), "%s", args->path);
	args->backing = DISK_BACKING_FDS;
	while (args->format == DISK_FORMAT_QCOW2 && args->nbacking_fds < DISK_MAX_BACKING_DEPTH) {
		if (disk_qcow2_backing(fd, &ref, err, sizeof(err)) < 0) {
			fprintf(stderr, "disk-tool: %s: %s\n", path, err);
			exit(1);
		}
		if (!ref.name[0])
			return;
		fd = disk_open_backing_file(DISK_BACKING_ANY, path, ref.name, next, sizeof(next), err,
					    sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "disk-tool: %s: backing file '%s': %s\n", path, ref.name, err);
			exit(1);
		}
		fds[args->nbacking_fds++] = fd;
		snprintf(path, sizeof(path), "%s", next);
		if (ref.format == DISK_FORMAT_RAW)
			return;
	}
}

static int parse_backing(struct disk_open_args *args, const char *how)
{
	if (!strcmp(how, "none"))
		args->backing = DISK_BACKING_NONE;
	else if (!strcmp(how, "same-dir"))
		args->backing = DISK_BACKING_SAME_DIR;
	else if (!strcmp(how, "any"))
		args->backing = DISK_BACKING_ANY;
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct disk_open_args args = { .format = DISK_FORMAT_RAW, .mode = DISK_MODE_READ_WRITE };
	int backing_fds[DISK_MAX_BACKING_DEPTH];
	const char *backing_files[DISK_MAX_BACKING_DEPTH];
	size_t nbacking_files = 0;
	bool client = false;
	char err[512];
	int opt;

	args.backing_fds = backing_fds;
	while ((opt = getopt(argc, argv, "+f:m:b:B:cV:L:")) != -1) {
		if (opt == 'f' && !strcmp(optarg, "qcow2"))
			args.format = DISK_FORMAT_QCOW2;
		else if (opt == 'm' && !strcmp(optarg, "ro"))
			args.mode = DISK_MODE_READ_ONLY;
		else if (opt == 'm' && !strcmp(optarg, "volatile"))
			args.mode = DISK_MODE_VOLATILE_WRITE;
		else if (opt == 'b' && parse_backing(&args, optarg) == 0)
			continue;
		else if (opt == 'B' && nbacking_files < DISK_MAX_BACKING_DEPTH)
			backing_files[nbacking_files++] = optarg;
		else if (opt == 'c')
			client = true;
		else if (opt == 'V')
			args.volatile_dir = optarg;
		else if (opt == 'L')
			args.volatile_limit = num(optarg);
		else if (!(opt == 'f' && !strcmp(optarg, "raw")) && !(opt == 'm' && !strcmp(optarg, "rw")))
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: disk-tool [-f raw|qcow2] [-m rw|ro|volatile] "
			"[-b none|same-dir|any] [-B FILE]... [-c] [-V DIR] [-L BYTES] IMAGE COMMAND...\n");
		return 2;
	}
	args.path = argv[optind];
	args.fd = open(args.path, args.mode == DISK_MODE_READ_WRITE ? O_RDWR : O_RDONLY);
	if (args.fd < 0)
		die(args.path);
	for (size_t i = 0; i < nbacking_files; i++)
		add_backing_fd(&args, backing_fds, backing_files[i]);
	if (client) {
		walk_chain(&args, backing_fds);
		args.path = NULL;	/* a bare fd, as the daemon's device gets it */
	}
	disk = disk_open(&args, err, sizeof(err));
	for (size_t i = 0; i < args.nbacking_fds; i++)
		close(backing_fds[i]);
	if (!disk) {
		fprintf(stderr, "disk-tool: %s\n", err);
		return 1;
	}
	for (int i = optind + 1; i < argc;)
		i += run(argc - i, argv + i);
	disk_close(disk);
	return 0;
}
