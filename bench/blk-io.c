/* blk-io: the I/O load bench/blk.sh runs inside the guest, on the virtio
 * disk, with O_DIRECT so the guest's page cache stays out of it.
 *
 *   blk-io seqread DEV          whole device, 1 MiB requests
 *   blk-io seqwrite DEV         whole device, 1 MiB requests, then fsync
 *   blk-io randread DEV SECONDS 4 KiB requests at random aligned offsets
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
	uint64_t size, done = 0, ops = 0, seed = 88172645463325252ull;
	double start, seconds;
	const char *mode;
	void *buf;
	int fd, write_mode;

	if (argc < 3) {
		fprintf(stderr, "usage: blk-io seqread|seqwrite|randread DEV [SECONDS]\n");
		return 2;
	}
	mode = argv[1];
	write_mode = strcmp(mode, "seqwrite") == 0;
	fd = open(argv[2], (write_mode ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		die(argv[2]);
	if (ioctl(fd, BLKGETSIZE64, &size) < 0)
		die("BLKGETSIZE64");
	if (posix_memalign(&buf, 4096, SEQ_BLOCK))
		die("posix_memalign");
	memset(buf, 0xa5, SEQ_BLOCK);

	start = now();
	if (strcmp(mode, "randread") == 0) {
		double limit = argc > 3 ? atof(argv[3]) : 5.0;
		uint64_t blocks = size / RAND_BLOCK;

		while (now() - start < limit) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;	/* xorshift64 */
			if (pread(fd, buf, RAND_BLOCK, (off_t)((seed % blocks) * RAND_BLOCK)) != RAND_BLOCK)
				die("pread");
			done += RAND_BLOCK;
			ops++;
		}
	} else {
		for (; done + SEQ_BLOCK <= size; done += SEQ_BLOCK, ops++) {
			ssize_t n = write_mode ? pwrite(fd, buf, SEQ_BLOCK, (off_t)done)
					       : pread(fd, buf, SEQ_BLOCK, (off_t)done);
			if (n != SEQ_BLOCK)
				die(write_mode ? "pwrite" : "pread");
		}
		if (write_mode && fsync(fd) < 0)
			die("fsync");
	}
	seconds = now() - start;
	printf("blk-io %s bytes=%llu seconds=%.3f mbps=%.1f iops=%.0f\n", mode,
	       (unsigned long long)done, seconds, (double)done / seconds / 1e6, (double)ops / seconds);
	return 0;
}
