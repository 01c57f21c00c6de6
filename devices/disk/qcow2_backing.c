/* A QCOW2 image's backing file: what the header declares (the name, and
 * the format, which must be declared: guessing it from the content would
 * let a guest that wrote a raw base make it a qcow2 image naming a backing
 * file of its choice), and opening it through the chain (backing.c). */
#include "devices/disk/qcow2.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int qcow2_backing_format(const struct qcow2_header *h, enum disk_format *format, char *err,
			 size_t errlen)
{
	if (!strcmp(h->backing_format, "raw")) {
		*format = DISK_FORMAT_RAW;
		return 0;
	}
	if (!strcmp(h->backing_format, "qcow2")) {
		*format = DISK_FORMAT_QCOW2;
		return 0;
	}
	if (h->backing_format[0])
		snprintf(err, errlen, "backing file '%s': format '%s' not supported (raw or qcow2)",
			 h->backing_name, h->backing_format);
	else
		snprintf(err, errlen, "backing file '%s': the image does not declare its format, "
			 "which is never guessed from the content (declare it: qemu-img rebase -u "
			 "-b NAME -F raw|qcow2)", h->backing_name);
	return -1;
}

int disk_qcow2_backing(int fd, struct disk_backing_ref *ref, char *err, size_t errlen)
{
	struct qcow2_header h;
	off_t end = lseek(fd, 0, SEEK_END);

	memset(ref, 0, sizeof(*ref));
	if (end < 0) {
		snprintf(err, errlen, "qcow2: finding the file size: %s", strerror(errno));
		return -1;
	}
	if (qcow2_read_header(fd, (uint64_t)end, false, &h, err, errlen) < 0)
		return -1;
	if (!h.backing_name[0])
		return 0;
	snprintf(ref->name, sizeof(ref->name), "%s", h.backing_name);
	return qcow2_backing_format(&h, &ref->format, err, errlen);
}

/* ERR gets "backing file 'NAME': " and WHY, unless WHY comes from deeper
 * in the chain and names the image at fault itself. */
static int chain_error(const char *name, const char *why, char *err, size_t errlen)
{
	if (!strncmp(why, "backing file '", 14))
		snprintf(err, errlen, "%s", why);
	else
		snprintf(err, errlen, "backing file '%s': %s", name, why);
	return -1;
}

int qcow2_open_backing(struct qcow2_disk *q, const struct disk_open_ctx *ctx, char *err,
		       size_t errlen)
{
	const char *name = q->h.backing_name;
	char path[4096], why[DISK_ERROR_MAX * 2];
	struct disk_open_ctx sub = *ctx;
	enum disk_format format;

	if (!name[0])
		return 0;
	if (ctx->depth + 1 >= DISK_MAX_BACKING_DEPTH) {
		snprintf(err, errlen, "backing file '%s': chain longer than %d images", name,
			 DISK_MAX_BACKING_DEPTH);
		return -1;
	}
	if (qcow2_backing_format(&q->h, &format, err, errlen) < 0)
		return -1;
	sub.fd = disk_backing_open(ctx->chain, ctx->path, name, path, sizeof(path), why,
				   sizeof(why));
	if (sub.fd < 0)
		return chain_error(name, why, err, errlen);
	sub.path = path[0] ? path : NULL;
	sub.writable = false;
	sub.depth = ctx->depth + 1;
	q->backing = disk_open_ctx(&sub, format, why, sizeof(why));
	return q->backing ? 0 : chain_error(name, why, err, errlen);
}
