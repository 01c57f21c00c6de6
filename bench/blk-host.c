/* blk-host: the host-side half of bench/blk. It drives a vhost-user-blk
 * backend directly, with the vmm's own frontend (vmm/virtio/
 * vhost_user_frontend.c) and a split ring in a memfd that stands in for
 * guest memory, so the figures are the backend's with no guest and no
 * emulation in the way. With --file instead of --socket it runs the same
 * load as pread/pwrite on the file itself: the ceiling.
 *
 *   blk-host --socket PATH | --file PATH  MODE [--seconds S] [--depth N]
 *
 * MODE is seqread, seqwrite, randread or randwrite, the loads of
 * blk-load.h, which blk-io runs in the guest; writes end with a flush,
 * inside the timing, and randwrite (depth 1 only) flushes every 16.
 * --depth keeps N requests in flight (default 1). Prints one line, as blk-io does inside the guest:
 * "blk-host MODE bytes=N seconds=S mbps=M iops=I". */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/blk-load.h"
#include "vmm/guest_mem.h"
#include "vmm/virtio/vhost_user_frontend.h"

#define SECTOR 512
#define MAX_DEPTH 32
#define QSIZE 128		/* as QEMU's vhost-user-blk-pci */

/* "Guest" memory: rings, then one header/status slot and one data buffer
 * per request in flight. */
#define DESC_GPA 0x1000
#define AVAIL_GPA 0x2000
#define USED_GPA 0x3000
#define HDR_GPA 0x10000		/* 32 bytes a slot: header, status at +16 */
#define DATA_GPA 0x100000	/* BLK_LOAD_SEQ_BLOCK a slot */
#define MEM_SIZE (DATA_GPA + MAX_DEPTH * BLK_LOAD_SEQ_BLOCK)
#define WAIT_MS 10000		/* a backend that stops answering fails the run */

/* Where the load goes: a backend over vhost-user, or the file. */
struct target {
	/* backend */
	struct vhost_user vu;
	struct guest_mem gm;
	int kick_fd, call_fd, err_fd;
	uint16_t avail_idx, used_seen;
	/* file */
	int file_fd;
	uint8_t *file_buf;
	uint64_t size;		/* bytes */
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("blk-host: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *gpa(struct target *t, uint64_t addr)
{
	return t->gm.base + addr;
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		die("eventfd: %s", strerror(errno));
	return fd;
}

/* What the vmm does on DRIVER_OK (vmm/virtio/pci_transport.c), for one
 * queue of QSIZE entries. */
static void backend_open(struct target *t, const char *path)
{
	struct machine_desc m = { .ncpus = 1, .ram_below_4g = MEM_SIZE };
	uint64_t capacity;
	char err[512];
	int fd;

	if (guest_mem_create(&t->gm, &m, err, sizeof(err)) < 0)
		die("%s", err);
	fd = vhost_user_connect_path(path, "backend", err, sizeof(err));
	if (fd < 0)
		die("%s", err);
	vhost_user_init(&t->vu, fd, "backend");
	t->kick_fd = new_eventfd();
	t->call_fd = new_eventfd();
	t->err_fd = new_eventfd();
	const struct vhost_user_vring ring = {
		.num = QSIZE,
		.addr = { DESC_GPA, AVAIL_GPA, USED_GPA },
		.kick_fd = t->kick_fd,
		.call_fd = t->call_fd,
		.err_fd = t->err_fd,
	};

	if (vhost_user_handshake(&t->vu, err, sizeof(err)) < 0 ||
	    vhost_user_get_config(&t->vu, 0, &capacity, sizeof(capacity), err, sizeof(err)) < 0 ||
	    vhost_user_set_features(&t->vu, 1ULL << VIRTIO_F_VERSION_1 |
				    (t->vu.features & 1ULL << VIRTIO_BLK_F_FLUSH), err, sizeof(err)) < 0 ||
	    vhost_user_set_mem_table(&t->vu, &t->gm, err, sizeof(err)) < 0 ||
	    vhost_user_start_vring(&t->vu, &t->gm, 0, &ring, err, sizeof(err)) < 0)
		die("%s", err);
	t->size = capacity * SECTOR;
}

static uint8_t *status_byte(struct target *t, unsigned slot)
{
	return gpa(t, HDR_GPA + 32 * slot + 16);
}

/* Slot S: descriptors 3S (header), 3S+1 (data), 3S+2 (status). */
static void backend_submit(struct target *t, unsigned slot, uint32_t type, uint64_t offset,
			   uint32_t len)
{
	struct vring_desc *d = (struct vring_desc *)gpa(t, DESC_GPA) + 3 * slot;
	struct virtio_blk_outhdr *h = gpa(t, HDR_GPA + 32 * slot);
	struct vring_avail *avail = gpa(t, AVAIL_GPA);
	uint16_t head = (uint16_t)(3 * slot);

	*h = (struct virtio_blk_outhdr){ .type = type, .sector = offset / SECTOR };
	d[0] = (struct vring_desc){ HDR_GPA + 32 * slot, sizeof(*h), VRING_DESC_F_NEXT, head + 1 };
	d[1] = (struct vring_desc){
		DATA_GPA + (uint64_t)BLK_LOAD_SEQ_BLOCK * slot, len,
		VRING_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0), head + 2,
	};
	if (len == 0)	/* FLUSH: header and status only */
		d[0].next = head + 2;
	d[2] = (struct vring_desc){ HDR_GPA + 32 * slot + 16, 1, VRING_DESC_F_WRITE, 0 };
	*status_byte(t, slot) = 0xff;
	avail->ring[t->avail_idx % QSIZE] = head;
	__atomic_store_n(&avail->idx, ++t->avail_idx, __ATOMIC_RELEASE);
}

static void backend_kick(struct target *t)
{
	uint64_t one = 1;

	if (write(t->kick_fd, &one, sizeof(one)) != sizeof(one))
		die("kick: %s", strerror(errno));
}

/* Waits for completions; returns the slots done (into SLOTS). */
static unsigned backend_reap(struct target *t, unsigned *slots)
{
	struct vring_used *used = gpa(t, USED_GPA);
	unsigned n = 0;

	for (;;) {
		uint16_t idx = __atomic_load_n(&used->idx, __ATOMIC_ACQUIRE);

		for (; t->used_seen != idx; t->used_seen++) {
			uint32_t id = used->ring[t->used_seen % QSIZE].id;

			if (id % 3 || id / 3 >= MAX_DEPTH)
				die("the backend used head %u, which was never offered", id);
			if (*status_byte(t, id / 3) != VIRTIO_BLK_S_OK)
				die("request at head %u failed (status %u)", id, *status_byte(t, id / 3));
			slots[n++] = id / 3;
		}
		if (n)
			return n;
		struct pollfd p[2] = { { .fd = t->call_fd, .events = POLLIN },
				       { .fd = t->err_fd, .events = POLLIN } };
		uint64_t count;

		if (poll(p, 2, WAIT_MS) <= 0)
			die("no completion within %d ms", WAIT_MS);
		if (p[1].revents)
			die("the backend reported a broken queue");
		if (read(t->call_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			die("call eventfd: %s", strerror(errno));
	}
}

static void file_open(struct target *t, const char *path)
{
	struct stat st;

	t->file_fd = open(path, O_RDWR | O_CLOEXEC);
	if (t->file_fd < 0 || fstat(t->file_fd, &st) < 0)
		die("%s: %s", path, strerror(errno));
	t->size = (uint64_t)st.st_size;
	t->file_buf = aligned_alloc(4096, BLK_LOAD_SEQ_BLOCK);
	if (!t->file_buf)
		die("out of memory");
}

/* One request on the file, synchronously: the backends' work without the
 * ring, the process boundary and the copy into guest memory. */
static void file_io(struct target *t, uint32_t type, uint64_t offset, uint32_t len)
{
	ssize_t n = type == VIRTIO_BLK_T_IN ? pread(t->file_fd, t->file_buf, len, (off_t)offset)
		  : type == VIRTIO_BLK_T_OUT ? pwrite(t->file_fd, t->file_buf, len, (off_t)offset)
					     : fdatasync(t->file_fd);

	if (n < 0 || (type != VIRTIO_BLK_T_FLUSH && (size_t)n != len))
		die("file I/O at %llu: %s", (unsigned long long)offset, n < 0 ? strerror(errno) : "short");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "file", required_argument, NULL, 'f' },
		{ "seconds", required_argument, NULL, 't' },
		{ "depth", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *socket_path = NULL, *file_path = NULL;
	double seconds = 3;
	unsigned depth = 1;
	struct target t = { .file_fd = -1 };
	struct blk_load l;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's': socket_path = optarg; break;
		case 'f': file_path = optarg; break;
		case 't': seconds = atof(optarg); break;
		case 'd': depth = (unsigned)atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind + 1 != argc || !blk_load_init(&l, argv[optind], 0) || !socket_path == !file_path ||
	    depth < 1 || depth > MAX_DEPTH || (l.flush_every && depth > 1) || seconds <= 0) {
		fprintf(stderr, "usage: blk-host --socket PATH | --file PATH "
				"seqread|seqwrite|randread|randwrite [--seconds S] [--depth 1..%d, "
				"randwrite 1]\n", MAX_DEPTH);
		return 2;
	}
	if (socket_path)
		backend_open(&t, socket_path);
	else
		file_open(&t, file_path);
	l.blocks = t.size / l.block;
	if (l.blocks == 0)
		die("the disk (%llu bytes) is smaller than one request", (unsigned long long)t.size);

	uint32_t type = l.write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	unsigned slots[MAX_DEPTH];
	uint64_t ops = 0;
	double start = now(), elapsed;

	if (socket_path) {
		for (unsigned s = 0; s < depth; s++)
			backend_submit(&t, s, type, blk_load_next(&l), l.block);
		backend_kick(&t);
		unsigned inflight = depth;

		while (inflight) {
			unsigned n = backend_reap(&t, slots);
			bool more = now() - start < seconds;

			ops += n;
			inflight -= n;
			if (blk_load_flush_after(&l, ops)) {	/* depth 1: nothing else in flight */
				backend_submit(&t, 0, VIRTIO_BLK_T_FLUSH, 0, 0);
				backend_kick(&t);
				backend_reap(&t, slots);
			}
			for (unsigned i = 0; more && i < n; i++, inflight++)
				backend_submit(&t, slots[i], type, blk_load_next(&l), l.block);
			if (more)
				backend_kick(&t);
		}
		if (l.write) {
			backend_submit(&t, 0, VIRTIO_BLK_T_FLUSH, 0, 0);
			backend_kick(&t);
			backend_reap(&t, slots);
		}
	} else {
		/* The file takes one request at a time: depth is the backends'. */
		while (now() - start < seconds) {
			file_io(&t, type, blk_load_next(&l), l.block);
			ops++;
			if (blk_load_flush_after(&l, ops))
				file_io(&t, VIRTIO_BLK_T_FLUSH, 0, 0);
		}
		if (l.write)
			file_io(&t, VIRTIO_BLK_T_FLUSH, 0, 0);
	}
	elapsed = now() - start;
	printf("blk-host %s bytes=%llu seconds=%.3f mbps=%.1f iops=%.0f\n", argv[optind],
	       (unsigned long long)ops * l.block, elapsed, (double)ops * l.block / elapsed / 1e6,
	       (double)ops / elapsed);
	return 0;
}
