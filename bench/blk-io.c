/* blk-io: the I/O load bench/blk.sh runs inside the guest, on the virtio
 * disk, with O_DIRECT so the guest's page cache stays out of it. Each mode
 * runs for SECONDS (default 3):
 *
 *   blk-io seqread DEV [SECONDS]   1 MiB requests, wrapping at the end
 *   blk-io seqwrite DEV [SECONDS]  the same, then fsync (timed: a FLUSH)
 *   blk-io randread DEV [SECONDS]  4 KiB requests at random aligned offsets
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

#define SEQ_BLOCK	(1u << 20)
#define RAND_BLOCK	4096u

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
	uint64_t size, blocks, done = 0, ops = 0, seed = 88172645463325252ull;
	double start, seconds, limit;
	const char *mode;
	uint32_t block;
	void *buf;
	int fd, write_mode, random_mode;

	if (argc < 3 || (strcmp(argv[1], "seqread") && strcmp(argv[1], "seqwrite") &&
			 strcmp(argv[1], "randread"))) {
		fprintf(stderr, "usage: blk-io seqread|seqwrite|randread DEV [SECONDS]\n");
		return 2;
	}
	mode = argv[1];
	write_mode = strcmp(mode, "seqwrite") == 0;
	random_mode = strcmp(mode, "randread") == 0;
	limit = argc > 3 ? atof(argv[3]) : 3.0;
	block = random_mode ? RAND_BLOCK : SEQ_BLOCK;
	fd = open(argv[2], (write_mode ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		die(argv[2]);
	if (ioctl(fd, BLKGETSIZE64, &size) < 0)
		die("BLKGETSIZE64");
	blocks = size / block;
	if (blocks == 0) {
		fprintf(stderr, "blk-io: %s is smaller than one request\n", argv[2]);
		return 1;
	}
	if (posix_memalign(&buf, 4096, SEQ_BLOCK))
		die("posix_memalign");
	memset(buf, 0xa5, SEQ_BLOCK);

	start = now();
	while (now() - start < limit) {
		uint64_t index = ops % blocks;
		ssize_t n;

		if (random_mode) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;	/* xorshift64 */
			index = seed % blocks;
		}
		n = write_mode ? pwrite(fd, buf, block, (off_t)(index * block))
			       : pread(fd, buf, block, (off_t)(index * block));
		if (n != (ssize_t)block)
			die(write_mode ? "pwrite" : "pread");
		done += block;
		ops++;
	}
	if (write_mode && fsync(fd) < 0)
		die("fsync");
	seconds = now() - start;
	printf("blk-io %s bytes=%llu seconds=%.3f mbps=%.1f iops=%.0f\n", mode,
	       (unsigned long long)done, seconds, (double)done / seconds / 1e6, (double)ops / seconds);
	return 0;
}
