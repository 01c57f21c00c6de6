#include "devices/disk/file_io.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devices/lib/iov.h"

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
	struct iovec copy[IOV_MAX_SEGS], *cur = copy;

	if (iovcnt > IOV_MAX_SEGS)
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
	struct iovec copy[IOV_MAX_SEGS], *cur = copy;

	if (iovcnt > IOV_MAX_SEGS)
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
