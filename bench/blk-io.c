/* blk-io: the I/O load bench/blk.sh runs inside the guest, on the virtio
 * disk, with O_DIRECT so the guest's page cache stays out of it. Each mode
 * runs for SECONDS (default 3):
 *
 *   blk-io seqread DEV [SECONDS]   1 MiB requests, wrapping at the end
 *   blk-io seqwrite DEV [SECONDS]  the same, then fsync (timed: a FLUSH)
 *   blk-io randread DEV [SECONDS]  4 KiB requests at random aligned offsets
 *   blk-io randwrite DEV [SECONDS] the same, writing, fdatasync every 16
 *
 * Prints one line: "blk-io <mode> bytes=N seconds=S mbps=M iops=I".
 * Built static on the host: the guest has only busybox. */
#define _GNU_SOURCE	/* O_DIRECT */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "blk-load.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	uint64_t size, done = 0, ops = 0;
	double start, seconds, limit;
	struct blk_load load;
	void *buf;
	int fd;

	if (argc < 3 || !blk_load_init(&load, argv[1], 0)) {
		fprintf(stderr, "usage: blk-io seqread|seqwrite|randread|randwrite DEV [SECONDS]\n");
		return 2;
	}
	limit = argc > 3 ? atof(argv[3]) : 3.0;
	fd = open(argv[2], (load.write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		die(argv[2]);
	if (ioctl(fd, BLKGETSIZE64, &size) < 0)
		die("BLKGETSIZE64");
	load.blocks = size / load.block;
	if (load.blocks == 0) {
		fprintf(stderr, "blk-io: %s is smaller than one request\n", argv[2]);
		return 1;
	}
	if (posix_memalign(&buf, 4096, BLK_LOAD_SEQ_BLOCK))
		die("posix_memalign");
	memset(buf, 0xa5, BLK_LOAD_SEQ_BLOCK);

	start = now();
	while (now() - start < limit) {
		off_t offset = (off_t)blk_load_next(&load);
		ssize_t n = load.write ? pwrite(fd, buf, load.block, offset)
				       : pread(fd, buf, load.block, offset);

		if (n != (ssize_t)load.block)
			die(load.write ? "pwrite" : "pread");
		done += load.block;
		ops++;
		if (blk_load_flush_after(&load, ops) && fdatasync(fd) < 0)
			die("fdatasync");
	}
	if (load.write && fsync(fd) < 0)
		die("fsync");
	seconds = now() - start;
	printf("blk-io %s bytes=%llu seconds=%.3f mbps=%.1f iops=%.0f\n", argv[1],
	       (unsigned long long)done, seconds, (double)done / seconds / 1e6, (double)ops / seconds);
	return 0;
}
