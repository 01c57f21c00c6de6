/* The QCOW2 header and its extensions: every field is checked against the
 * file and the limits we keep, and each refusal names the field. */
#include "devices/disk/qcow2.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define V2_HEADER_LENGTH 72
#define V3_HEADER_LENGTH 104
#define EXT_END 0
#define EXT_BACKING_FORMAT 0xe2792acau

static uint32_t get32(const uint8_t *buf, size_t at)
{
	uint32_t v;

	memcpy(&v, buf + at, sizeof(v));
	return be32toh(v);
}

static uint64_t get64(const uint8_t *buf, size_t at)
{
	uint64_t v;

	memcpy(&v, buf + at, sizeof(v));
	return be64toh(v);
}

static int refuse(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "qcow2 header: ");
	va_list ap;

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_features(const struct qcow2_header *h, const uint8_t *buf, bool writable,
			  char *err, size_t errlen)
{
	uint64_t known = QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT | QCOW2_INCOMPAT_DATA_FILE |
			 QCOW2_INCOMPAT_COMPRESSION | QCOW2_INCOMPAT_EXTL2;
	unsigned compression = h->header_length > V3_HEADER_LENGTH ? buf[V3_HEADER_LENGTH] : 0;

	if (h->incompatible & ~known)
		return refuse(err, errlen, "unknown incompatible features 0x%" PRIx64,
			      h->incompatible & ~known);
	if (h->incompatible & QCOW2_INCOMPAT_DATA_FILE)
		return refuse(err, errlen, "external data file (incompatible feature bit 2) not supported");
	if (h->incompatible & QCOW2_INCOMPAT_EXTL2)
		return refuse(err, errlen, "extended L2 entries (incompatible feature bit 4) not supported");
	if (compression != 0)
		return refuse(err, errlen, "compression_type %u not supported, only 0 (deflate)",
			      compression);
	if (writable && (h->incompatible & QCOW2_INCOMPAT_DIRTY))
		return refuse(err, errlen, "dirty bit set (refcounts not written back): "
			      "run 'qemu-img check -r all' or open read-only or volatile");
	if (writable && (h->incompatible & QCOW2_INCOMPAT_CORRUPT))
		return refuse(err, errlen, "image marked corrupt: "
			      "run 'qemu-img check -r all' or open read-only or volatile");
	if (writable && h->nb_snapshots)
		return refuse(err, errlen, "%" PRIu32 " internal snapshots: writing images with "
			      "snapshots is not supported; open read-only or volatile", h->nb_snapshots);
	return 0;
}

/* Inside the file, cluster-aligned, after the header cluster. */
static int check_table(const char *what, uint64_t offset, uint64_t bytes, uint64_t cluster_size,
		       uint64_t file_size, char *err, size_t errlen)
{
	if (offset % cluster_size)
		return refuse(err, errlen, "%s 0x%" PRIx64 " not aligned to the cluster size %" PRIu64,
			      what, offset, cluster_size);
	if (offset < cluster_size)
		return refuse(err, errlen, "%s 0x%" PRIx64 " overlaps the header", what, offset);
	if (offset > file_size || bytes > file_size - offset)
		return refuse(err, errlen, "%s 0x%" PRIx64 " + %" PRIu64 " bytes past the end of the file "
			      "(%" PRIu64 " bytes)", what, offset, bytes, file_size);
	return 0;
}

static int check_geometry(const struct qcow2_header *h, uint64_t file_size, char *err,
			  size_t errlen)
{
	uint64_t cluster_size = 1ull << h->cluster_bits;
	uint64_t l2_coverage = cluster_size * (cluster_size / 8);	/* at most 2^39 */
	uint64_t l1_needed;
	uint64_t l1_bytes = (uint64_t)h->l1_size * 8;
	uint64_t reftable_bytes;

	if (h->size % 512)
		return refuse(err, errlen, "size %" PRIu64 " not a multiple of 512", h->size);
	if (h->size > QCOW2_MAX_SIZE)
		return refuse(err, errlen, "size %" PRIu64 " out of range 0..%llu", h->size,
			      QCOW2_MAX_SIZE);
	l1_needed = (h->size + l2_coverage - 1) / l2_coverage;
	if (h->l1_size < l1_needed)
		return refuse(err, errlen, "l1_size %" PRIu32 " too small for size %" PRIu64
			      " (needs %" PRIu64 ")", h->l1_size, h->size, l1_needed);
	if (l1_bytes > QCOW2_MAX_L1_BYTES)
		return refuse(err, errlen, "l1_size %" PRIu32 " out of range 0..%u", h->l1_size,
			      QCOW2_MAX_L1_BYTES / 8);
	if (h->l1_size && check_table("l1_table_offset", h->l1_offset, l1_bytes, cluster_size,
				      file_size, err, errlen))
		return -1;
	if (h->reftable_clusters == 0 ||
	    h->reftable_clusters > QCOW2_MAX_REFTABLE_BYTES / cluster_size)
		return refuse(err, errlen, "refcount_table_clusters %" PRIu32 " out of range 1..%" PRIu64,
			      h->reftable_clusters, QCOW2_MAX_REFTABLE_BYTES / cluster_size);
	reftable_bytes = (uint64_t)h->reftable_clusters * cluster_size;
	if (check_table("refcount_table_offset", h->reftable_offset, reftable_bytes, cluster_size,
			file_size, err, errlen))
		return -1;
	if (h->l1_size && h->l1_offset < h->reftable_offset + reftable_bytes &&
	    h->reftable_offset < h->l1_offset + l1_bytes)
		return refuse(err, errlen, "l1 table (0x%" PRIx64 ") and refcount table (0x%" PRIx64
			      ") overlap", h->l1_offset, h->reftable_offset);
	return 0;
}

/* Header extensions between the header and END (the backing file name or
 * the end of the first cluster); we use the backing file format. */
static int parse_extensions(struct qcow2_header *h, const uint8_t *buf, size_t end, char *err,
			    size_t errlen)
{
	size_t pos = h->header_length;

	while (pos + 8 <= end) {
		uint32_t type = get32(buf, pos);
		uint32_t len = get32(buf, pos + 4);

		if (type == EXT_END)
			return 0;
		if (len > end - pos - 8)
			return refuse(err, errlen, "extension 0x%08" PRIx32 " at %zu: length %" PRIu32
				      " past the end of the header area (%zu)", type, pos, len, end);
		if (type == EXT_BACKING_FORMAT) {
			if (len == 0 || len >= sizeof(h->backing_format) ||
			    memchr(buf + pos + 8, 0, len))
				return refuse(err, errlen, "backing file format extension: length %" PRIu32
					      " out of range 1..%zu or with a NUL byte", len,
					      sizeof(h->backing_format) - 1);
			memcpy(h->backing_format, buf + pos + 8, len);
			h->backing_format[len] = 0;
		}
		pos += 8 + (((size_t)len + 7) & ~(size_t)7);
	}
	return 0;
}

static int parse_backing_name(struct qcow2_header *h, const uint8_t *buf, size_t len,
			      uint64_t offset, uint32_t name_len, char *err, size_t errlen)
{
	if (offset == 0)
		return 0;
	if (name_len == 0 || name_len > DISK_MAX_BACKING_NAME)
		return refuse(err, errlen, "backing_file_size %" PRIu32 " out of range 1..%d", name_len,
			      DISK_MAX_BACKING_NAME);
	if (offset < h->header_length || offset > len || name_len > len - offset)
		return refuse(err, errlen, "backing_file_offset %" PRIu64 " + %" PRIu32 " outside "
			      "the first cluster after the header (%zu..%zu)", offset, name_len,
			      (size_t)h->header_length, len);
	if (memchr(buf + offset, 0, name_len))
		return refuse(err, errlen, "backing file name contains a NUL byte");
	memcpy(h->backing_name, buf + offset, name_len);
	h->backing_name[name_len] = 0;
	return 0;
}

int qcow2_parse_header(const uint8_t *buf, size_t len, uint64_t file_size, bool writable,
		       struct qcow2_header *h, char *err, size_t errlen)
{
	uint64_t backing_offset;
	uint32_t crypt_method;

	memset(h, 0, sizeof(*h));
	if (len < V2_HEADER_LENGTH)
		return refuse(err, errlen, "file of %" PRIu64 " bytes is shorter than a header (%d)",
			      file_size, V2_HEADER_LENGTH);
	if (get32(buf, 0) != QCOW2_MAGIC)
		return refuse(err, errlen, "magic 0x%08" PRIx32 " is not QFI\\xfb (0x%08x)",
			      get32(buf, 0), QCOW2_MAGIC);
	h->version = get32(buf, 4);
	if (h->version != 2 && h->version != 3)
		return refuse(err, errlen, "version %" PRIu32 " not supported (2 or 3)", h->version);
	h->cluster_bits = get32(buf, 20);
	if (h->cluster_bits < QCOW2_MIN_CLUSTER_BITS || h->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
		return refuse(err, errlen, "cluster_bits %" PRIu32 " out of range %d..%d",
			      h->cluster_bits, QCOW2_MIN_CLUSTER_BITS, QCOW2_MAX_CLUSTER_BITS);
	if (len > (1ull << h->cluster_bits))
		len = 1ull << h->cluster_bits;
	backing_offset = get64(buf, 8);
	h->size = get64(buf, 24);
	crypt_method = get32(buf, 32);
	h->l1_size = get32(buf, 36);
	h->l1_offset = get64(buf, 40);
	h->reftable_offset = get64(buf, 48);
	h->reftable_clusters = get32(buf, 56);
	h->nb_snapshots = get32(buf, 60);
	h->refcount_order = 4;
	h->header_length = V2_HEADER_LENGTH;
	if (h->version == 3) {
		if (len < V3_HEADER_LENGTH)
			return refuse(err, errlen, "file of %" PRIu64 " bytes is shorter than a version 3 "
				      "header (%d)", file_size, V3_HEADER_LENGTH);
		h->incompatible = get64(buf, 72);
		h->autoclear = get64(buf, 88);
		h->refcount_order = get32(buf, 96);
		h->header_length = get32(buf, 100);
		if (h->header_length < V3_HEADER_LENGTH || h->header_length % 8 ||
		    h->header_length > len)
			return refuse(err, errlen, "header_length %" PRIu32 " out of range %d..%zu or "
				      "not a multiple of 8", h->header_length, V3_HEADER_LENGTH, len);
		if (h->refcount_order > 6)
			return refuse(err, errlen, "refcount_order %" PRIu32 " out of range 0..6",
				      h->refcount_order);
	}
	if (crypt_method != 0)
		return refuse(err, errlen, "encryption (crypt_method %" PRIu32 ") not supported",
			      crypt_method);
	if (check_features(h, buf, writable, err, errlen) ||
	    check_geometry(h, file_size, err, errlen) ||
	    parse_backing_name(h, buf, len, backing_offset, get32(buf, 16), err, errlen))
		return -1;
	return parse_extensions(h, buf, backing_offset ? backing_offset : len, err, errlen);
}
