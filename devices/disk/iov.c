#include "devices/disk/iov.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

size_t iov_length(const struct iovec *iov, int iovcnt)
{
	size_t len = 0;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	return len;
}

int iov_slice(const struct iovec *iov, int iovcnt, size_t skip, size_t len, struct iovec *out)
{
	int n = 0;

	for (int i = 0; i < iovcnt && len > 0 && n < DISK_IOV_MAX; i++) {
		size_t take;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - skip;
		if (take > len)
			take = len;
		out[n].iov_base = (char *)iov[i].iov_base + skip;
		out[n].iov_len = take;
		n++;
		len -= take;
		skip = 0;
	}
	return n;
}

enum iov_op { IOV_MEMSET, IOV_FROM_BUF, IOV_TO_BUF };

/* Applies OP to bytes [skip, skip+len) of IOV, piece by piece; BUF is the
 * flat side (or holds the fill byte for IOV_MEMSET). */
static void iov_walk(const struct iovec *iov, int iovcnt, size_t skip, size_t len, void *buf,
		     enum iov_op op)
{
	size_t done = 0;

	for (int i = 0; i < iovcnt && done < len; i++) {
		char *base;
		size_t piece;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		base = (char *)iov[i].iov_base + skip;
		piece = iov[i].iov_len - skip;
		if (piece > len - done)
			piece = len - done;
		skip = 0;
		if (op == IOV_MEMSET)
			memset(base, *(const int *)buf, piece);
		else if (op == IOV_FROM_BUF)
			memcpy(base, (const char *)buf + done, piece);
		else
			memcpy((char *)buf + done, base, piece);
		done += piece;
	}
}

void iov_memset(const struct iovec *iov, int iovcnt, size_t skip, size_t len, int byte)
{
	iov_walk(iov, iovcnt, skip, len, &byte, IOV_MEMSET);
}

void iov_from_buf(const struct iovec *iov, int iovcnt, size_t skip, const void *buf, size_t len)
{
	iov_walk(iov, iovcnt, skip, len, (void *)buf, IOV_FROM_BUF);
}

void iov_to_buf(const struct iovec *iov, int iovcnt, size_t skip, void *buf, size_t len)
{
	iov_walk(iov, iovcnt, skip, len, buf, IOV_TO_BUF);
}

/* Advances IOV (a private copy) past N bytes; returns the new count. */
static int iov_advance(struct iovec **iov, int iovcnt, size_t n)
{
	while (iovcnt > 0 && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		iovcnt--;
	}
	if (iovcnt > 0) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
	return iovcnt;
}

int fd_preadv_full(int fd, const struct iovec *iov, int iovcnt, uint64_t offset, bool zero_at_eof)
{
	struct iovec copy[DISK_IOV_MAX], *cur = copy;

	if (iovcnt > DISK_IOV_MAX)
		return -EINVAL;
	memcpy(copy, iov, sizeof(*iov) * iovcnt);
	while (iovcnt > 0) {
		ssize_t n = preadv(fd, cur, iovcnt, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) {
			if (!zero_at_eof)
				return -EIO;
			iov_memset(cur, iovcnt, 0, iov_length(cur, iovcnt), 0);
			return 0;
		}
		offset += (uint64_t)n;
		iovcnt = iov_advance(&cur, iovcnt, (size_t)n);
	}
	return 0;
}

int fd_pwritev_full(int fd, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct iovec copy[DISK_IOV_MAX], *cur = copy;

	if (iovcnt > DISK_IOV_MAX)
		return -EINVAL;
	memcpy(copy, iov, sizeof(*iov) * iovcnt);
	while (iovcnt > 0) {
		ssize_t n = pwritev(fd, cur, iovcnt, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		offset += (uint64_t)n;
		iovcnt = iov_advance(&cur, iovcnt, (size_t)n);
	}
	return 0;
}

int fd_pread_full(int fd, void *buf, size_t len, uint64_t offset, bool zero_at_eof)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return fd_preadv_full(fd, &iov, 1, offset, zero_at_eof);
}

int fd_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return fd_pwritev_full(fd, &iov, 1, offset);
}
