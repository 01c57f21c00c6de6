/* virtio-blk (virtio 1.2 §5.2): one request queue over a disk image
 * (devices/disk/disk.h: the format and the mode are the disk's business). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/disk/disk.h"
#include "devices/lib/device_main.h"

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define SECTOR 512
/* Data buffers beside header and status: a chain is at most the queue
 * size long, and QEMU's vhost-user-blk queues have 128 entries. */
#define SEG_MAX 126
#define MAX_DISCARD_SECTORS (1u << 22)	/* 2 GiB per request */

/* virtio 1.2 §5.2.4, little-endian like the host. */
struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
	uint32_t max_secure_erase_sectors;
	uint32_t max_secure_erase_seg;
	uint32_t secure_erase_sector_alignment;
} __attribute__((packed));

struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk_discard_write_zeroes {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;		/* bit 0: unmap (write zeroes only) */
};

static struct {
	const char *path;
	int fd;
	enum disk_format format;
	enum disk_backing backing;
	bool backing_named;		/* --backing given */
	int backing_fds[DISK_MAX_BACKING_DEPTH];
	size_t nbacking_fds;
	const char *volatile_dir;
	uint64_t volatile_limit;
	bool read_only, volatile_writes;
	char serial[VIRTIO_BLK_ID_BYTES];
	struct disk *disk;
	struct vu_device_ops ops;
} blk = { .fd = -1 };

static void blk_get_config(struct vu_dev *dev, uint8_t *config)
{
	struct virtio_blk_config c = {
		.capacity = disk_size(blk.disk) / SECTOR,
		.seg_max = SEG_MAX,
		.blk_size = SECTOR,
		.num_queues = 1,
		.max_discard_sectors = MAX_DISCARD_SECTORS,
		.max_discard_seg = 1,
		.discard_sector_alignment = 1,
		.max_write_zeroes_sectors = MAX_DISCARD_SECTORS,
		.max_write_zeroes_seg = 1,
		.write_zeroes_may_unmap = disk_can_discard(blk.disk),
	};

	(void)dev;
	memcpy(config, &c, sizeof(c));
}

/* A request blk.c itself refuses: WHY says what was wrong with it, for the
 * log line (a failure inside the disk has the disk's own message). */
static int blk_refuse(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int blk_refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* DISCARD and WRITE_ZEROES: one segment (max_*_seg is 1). */
static int blk_discard_or_zero(const struct vq_chain *chain, uint32_t type, char *why, size_t len)
{
	struct virtio_blk_discard_write_zeroes seg;
	uint64_t seg_bytes = chain->out_len - sizeof(struct virtio_blk_outhdr);

	if (seg_bytes != sizeof(seg) ||
	    vq_chain_read(chain, sizeof(struct virtio_blk_outhdr), &seg, sizeof(seg)) != sizeof(seg))
		return blk_refuse(why, len, "%llu bytes of segments, expected one of %zu bytes "
				  "(max_*_seg is 1)", (unsigned long long)seg_bytes, sizeof(seg));
	if (seg.num_sectors > MAX_DISCARD_SECTORS)
		return blk_refuse(why, len, "segment at sector %llu: num_sectors %u over the "
				  "maximum %u", (unsigned long long)seg.sector, seg.num_sectors,
				  MAX_DISCARD_SECTORS);
	if (seg.flags & ~1u || (type == VIRTIO_BLK_T_DISCARD && seg.flags))
		return blk_refuse(why, len, "segment at sector %llu: flags 0x%x (%s)",
				  (unsigned long long)seg.sector, seg.flags,
				  type == VIRTIO_BLK_T_DISCARD ? "none allowed for DISCARD"
							       : "only bit 0, unmap, allowed");
	if (seg.sector > UINT64_MAX / SECTOR)
		return blk_refuse(why, len, "segment sector %llu out of range",
				  (unsigned long long)seg.sector);
	uint64_t offset = seg.sector * SECTOR, bytes = (uint64_t)seg.num_sectors * SECTOR;

	if (type == VIRTIO_BLK_T_DISCARD)
		return disk_discard(blk.disk, offset, bytes);
	return disk_write_zeroes(blk.disk, offset, bytes, seg.flags & 1);
}

/* The data of a read or write: whole sectors at a sector the disk can
 * address. */
static int blk_check_data(const struct virtio_blk_outhdr *hdr, uint64_t bytes, char *why,
			  size_t len)
{
	if (bytes % SECTOR)
		return blk_refuse(why, len, "%llu data bytes, not whole sectors of %d",
				  (unsigned long long)bytes, SECTOR);
	if (hdr->sector > UINT64_MAX / SECTOR)
		return blk_refuse(why, len, "sector out of range");
	return 0;
}

static const char *blk_type_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:
		return "IN";
	case VIRTIO_BLK_T_OUT:
		return "OUT";
	case VIRTIO_BLK_T_FLUSH:
		return "FLUSH";
	case VIRTIO_BLK_T_DISCARD:
		return "DISCARD";
	default:
		return "WRITE_ZEROES";
	}
}

/* One line per failed request, but a reason just logged is not logged
 * again: a guest repeating a bad request (or writing on and on into a full
 * volatile overlay) cannot flood the log. */
static void blk_log_failure(const struct virtio_blk_outhdr *hdr, int rc, const char *why)
{
	static char last[320];
	char reason[320];

	if (why[0])
		snprintf(reason, sizeof(reason), "%s", why);
	else
		snprintf(reason, sizeof(reason), "%s: %s", strerror(-rc), disk_last_error(blk.disk));
	if (!strcmp(reason, last))
		return;
	snprintf(last, sizeof(last), "%s", reason);
	fprintf(stderr, "virtio-blk: %s request at sector %llu: %s\n", blk_type_name(hdr->type),
		(unsigned long long)hdr->sector, reason);
}

/* Runs one request; returns its status and the data bytes written into the
 * driver's buffers. */
static uint8_t blk_request(const struct vq_chain *chain, const struct virtio_blk_outhdr *hdr,
			   uint64_t data_in_len, uint32_t *written)
{
	struct iovec iov[VQ_MAX_CHAIN];
	uint64_t out_data = chain->out_len - sizeof(*hdr);
	uint64_t offset = hdr->sector * SECTOR;
	char why[160] = "";
	unsigned n;
	int rc;

	*written = 0;
	switch (hdr->type) {
	case VIRTIO_BLK_T_IN:
		rc = blk_check_data(hdr, data_in_len, why, sizeof(why));
		if (rc)
			break;
		n = vq_chain_slice(chain, true, 0, data_in_len, iov);
		rc = disk_preadv(blk.disk, iov, n, offset);
		if (rc == 0)
			*written = data_in_len;
		break;
	case VIRTIO_BLK_T_OUT:
		rc = blk_check_data(hdr, out_data, why, sizeof(why));
		if (rc)
			break;
		n = vq_chain_slice(chain, false, sizeof(*hdr), out_data, iov);
		rc = disk_pwritev(blk.disk, iov, n, offset);
		break;
	case VIRTIO_BLK_T_FLUSH:
		rc = disk_flush(blk.disk);
		break;
	case VIRTIO_BLK_T_GET_ID: {
		size_t len = data_in_len < VIRTIO_BLK_ID_BYTES ? data_in_len : VIRTIO_BLK_ID_BYTES;

		*written = vq_chain_write(chain, 0, blk.serial, len);
		return VIRTIO_BLK_S_OK;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (!(hdr->type == VIRTIO_BLK_T_DISCARD ? disk_can_discard(blk.disk)
							: disk_can_write_zeroes(blk.disk)))
			return VIRTIO_BLK_S_UNSUPP;
		rc = blk_discard_or_zero(chain, hdr->type, why, sizeof(why));
		break;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (rc < 0) {
		blk_log_failure(hdr, rc, why);
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static void blk_kick(struct vu_dev *dev, struct virtqueue *vq)
{
	static struct vq_chain chain;

	(void)dev;
	while (vq_pop(vq, &chain) == 1) {
		struct virtio_blk_outhdr hdr;
		uint32_t written = 0;

		/* The status byte is the last writable byte; without one the
		 * request cannot even be answered. */
		if (chain.in_len == 0) {
			vq_push(vq, chain.head, 0);
			continue;
		}
		uint8_t status = VIRTIO_BLK_S_IOERR;

		if (vq_chain_read(&chain, 0, &hdr, sizeof(hdr)) == sizeof(hdr))
			status = blk_request(&chain, &hdr, chain.in_len - 1, &written);
		vq_chain_write(&chain, chain.in_len - 1, &status, 1);
		vq_push(vq, chain.head, written + 1);
	}
	vq_notify(vq);
}

enum {
	OPT_BLK_FILE = 1,
	OPT_BLK_FD,
	OPT_READ_ONLY,
	OPT_FORMAT,
	OPT_VOLATILE,
	OPT_SERIAL,
	OPT_BACKING,
	OPT_BACKING_FD,
	OPT_VOLATILE_DIR,
	OPT_VOLATILE_LIMIT,
};

static const struct option blk_options[] = {
	{ "blk-file", required_argument, NULL, OPT_BLK_FILE },
	{ "blk-fd", required_argument, NULL, OPT_BLK_FD },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "volatile", no_argument, NULL, OPT_VOLATILE },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "backing", required_argument, NULL, OPT_BACKING },
	{ "backing-fd", required_argument, NULL, OPT_BACKING_FD },
	{ "volatile-dir", required_argument, NULL, OPT_VOLATILE_DIR },
	{ "volatile-limit", required_argument, NULL, OPT_VOLATILE_LIMIT },
	{ 0 },
};

static int blk_parse_backing(const char *arg, char *err, size_t errlen)
{
	blk.backing_named = true;
	if (!strcmp(arg, "none"))
		blk.backing = DISK_BACKING_NONE;
	else if (!strcmp(arg, "same-dir"))
		blk.backing = DISK_BACKING_SAME_DIR;
	else if (!strcmp(arg, "any"))
		blk.backing = DISK_BACKING_ANY;
	else {
		snprintf(err, errlen, "--backing '%s': expected none, same-dir or any", arg);
		return -1;
	}
	return 0;
}

/* BYTES, or a number with K, M, G or T (powers of 1024). */
static int blk_parse_bytes(const char *opt, const char *arg, uint64_t *bytes, char *err,
			   size_t errlen)
{
	static const char units[] = "KMGT";
	char *end;
	unsigned long long v;
	const char *unit;

	errno = 0;
	v = strtoull(arg, &end, 10);
	unit = *end ? strchr(units, *end) : NULL;
	if (errno || end == arg || arg[0] == '-' || (*end && (!unit || end[1]))) {
		snprintf(err, errlen, "--%s '%s': expected bytes, or a number with K, M, G or T", opt,
			 arg);
		return -1;
	}
	for (const char *u = units; unit && u <= unit; u++) {
		if (v > UINT64_MAX / 1024) {
			snprintf(err, errlen, "--%s '%s': too large", opt, arg);
			return -1;
		}
		v *= 1024;
	}
	*bytes = v;
	return 0;
}

static int blk_parse_option(int opt, const char *arg, char *err, size_t errlen)
{
	switch (opt) {
	case OPT_BLK_FILE:
		blk.path = arg;
		return 0;
	case OPT_BLK_FD:
		return device_parse_fd("blk-fd", arg, &blk.fd, err, errlen);
	case OPT_READ_ONLY:
		blk.read_only = true;
		return 0;
	case OPT_VOLATILE:
		blk.volatile_writes = true;
		return 0;
	case OPT_BACKING:
		return blk_parse_backing(arg, err, errlen);
	case OPT_BACKING_FD:
		if (blk.nbacking_fds == DISK_MAX_BACKING_DEPTH - 1) {
			snprintf(err, errlen, "--backing-fd: a chain has at most %d backing files",
				 DISK_MAX_BACKING_DEPTH - 1);
			return -1;
		}
		return device_parse_fd("backing-fd", arg, &blk.backing_fds[blk.nbacking_fds++], err,
				       errlen);
	case OPT_VOLATILE_DIR:
		blk.volatile_dir = arg;
		return 0;
	case OPT_VOLATILE_LIMIT:
		return blk_parse_bytes("volatile-limit", arg, &blk.volatile_limit, err, errlen);
	case OPT_FORMAT:
		if (strcmp(arg, "raw") == 0)
			blk.format = DISK_FORMAT_RAW;
		else if (strcmp(arg, "qcow2") == 0)
			blk.format = DISK_FORMAT_QCOW2;
		else {
			snprintf(err, errlen, "--format '%s': expected raw or qcow2", arg);
			return -1;
		}
		return 0;
	default:	/* OPT_SERIAL */
		if (strlen(arg) > VIRTIO_BLK_ID_BYTES) {
			snprintf(err, errlen, "--serial '%s': longer than %d bytes", arg,
				 VIRTIO_BLK_ID_BYTES);
			return -1;
		}
		strncpy(blk.serial, arg, sizeof(blk.serial));
		return 0;
	}
}

/* Options that exclude each other; the disk mode they ask for. */
static int blk_check_options(enum disk_mode *mode, char *err, size_t errlen)
{
	if ((blk.path != NULL) == (blk.fd >= 0)) {
		snprintf(err, errlen, "give one of --blk-file PATH and --blk-fd N");
		return -1;
	}
	if (blk.read_only && blk.volatile_writes) {
		snprintf(err, errlen, "--read-only and --volatile exclude each other");
		return -1;
	}
	if ((blk.volatile_dir || blk.volatile_limit) && !blk.volatile_writes) {
		snprintf(err, errlen, "--volatile-dir and --volatile-limit are for --volatile");
		return -1;
	}
	if (blk.nbacking_fds && blk.backing_named) {
		snprintf(err, errlen, "give the backing chain as --backing-fd N... or by name "
			 "(--backing), not both");
		return -1;
	}
	if (blk.nbacking_fds)
		blk.backing = DISK_BACKING_FDS;
	*mode = blk.read_only	    ? DISK_MODE_READ_ONLY
		: blk.volatile_writes ? DISK_MODE_VOLATILE_WRITE
				      : DISK_MODE_READ_WRITE;
	return 0;
}

static int blk_open_disk(enum disk_mode mode, char *err, size_t errlen)
{
	struct disk_open_args args = {
		.fd = blk.fd,
		.path = blk.path,
		.format = blk.format,
		.mode = mode,
		.backing = blk.backing,
		.backing_fds = blk.backing_fds,
		.nbacking_fds = blk.nbacking_fds,
		.volatile_dir = blk.volatile_dir,
		.volatile_limit = blk.volatile_limit,
	};

	if (blk.path) {
		args.fd = open(blk.path, (mode == DISK_MODE_READ_WRITE ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (args.fd < 0) {
			snprintf(err, errlen, "--blk-file '%s': %m", blk.path);
			return -1;
		}
	}
	blk.disk = disk_open(&args, err, errlen);
	/* The disk keeps its own copies of the chain's fds. */
	for (size_t i = 0; i < blk.nbacking_fds; i++)
		close(blk.backing_fds[i]);
	return blk.disk ? 0 : -1;
}

/* At exit, once the frontend has hung up: the disk writes back what it
 * holds (a qcow2 image's metadata waits for a flush or a close), whether
 * or not the guest flushed. */
static void blk_close_disk(struct vu_dev *dev)
{
	(void)dev;
	disk_close(blk.disk);
	blk.disk = NULL;
}

static int blk_setup(struct vu_dev *dev, char *err, size_t errlen)
{
	enum disk_mode mode;

	if (blk_check_options(&mode, err, errlen) < 0 || blk_open_disk(mode, err, errlen) < 0)
		return -1;
	blk.ops = (struct vu_device_ops){
		.name = "virtio-blk",
		.num_queues = 1,
		.features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
			    1ull << VIRTIO_BLK_F_FLUSH |
			    (disk_read_only(blk.disk) ? 1ull << VIRTIO_BLK_F_RO : 0) |
			    (disk_can_discard(blk.disk) ? 1ull << VIRTIO_BLK_F_DISCARD : 0) |
			    (disk_can_write_zeroes(blk.disk) ? 1ull << VIRTIO_BLK_F_WRITE_ZEROES : 0),
		.config_size = sizeof(struct virtio_blk_config),
		.get_config = blk_get_config,
		.queue_kick = blk_kick,
	};
	vu_dev_init(dev, &blk.ops, NULL);
	return 0;
}

static const char *const blk_syscalls[] = {
	"preadv",
	"pwritev",
	"fdatasync",
	"fallocate",	/* discard, write zeroes */
	NULL,
};

static const struct device_program blk_program = {
	.name = "virtio-blk",
	.type = "block",
	.features_json = "\"blk-file\", \"read-only\"",
	.usage = "  --blk-file PATH       the disk image (or --blk-fd N, an open image)\n"
		 "  --format raw|qcow2    its format (default raw)\n"
		 "  --backing-fd N        the next backing file of a qcow2 chain, nearest first\n"
		 "                        (repeat for each; its format as the image declares)\n"
		 "  --backing none|same-dir|any\n"
		 "                        or open backing files by the names the images give:\n"
		 "                        never (default: an image can name any host file), in\n"
		 "                        the image's own directory only, or anywhere\n"
		 "  --read-only           refuse writes (VIRTIO_BLK_F_RO)\n"
		 "  --volatile            keep writes apart, never in the image: in an unlinked\n"
		 "                        file made at start in --volatile-dir DIR (default\n"
		 "                        $TMPDIR, else /var/tmp), at most --volatile-limit\n"
		 "                        BYTES[K|M|G|T] of them (default the disk's size)\n"
		 "  --serial ID           the id VIRTIO_BLK_T_GET_ID returns (<= 20 bytes)\n",
	.options = blk_options,
	.parse_option = blk_parse_option,
	.setup = blk_setup,
	.stop = blk_close_disk,
	.syscalls = blk_syscalls,
};

int main(int argc, char **argv)
{
	return device_main(&blk_program, argc, argv);
}
