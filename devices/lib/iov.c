#include "devices/lib/iov.h"

#include <string.h>

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

	for (int i = 0; i < iovcnt && len > 0 && n < IOV_MAX_SEGS; i++) {
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
static size_t iov_walk(const struct iovec *iov, int iovcnt, size_t skip, size_t len, void *buf,
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
	return done;
}

size_t iov_memset(const struct iovec *iov, int iovcnt, size_t skip, size_t len, int byte)
{
	return iov_walk(iov, iovcnt, skip, len, &byte, IOV_MEMSET);
}

size_t iov_from_buf(const struct iovec *iov, int iovcnt, size_t skip, const void *buf, size_t len)
{
	return iov_walk(iov, iovcnt, skip, len, (void *)buf, IOV_FROM_BUF);
}

size_t iov_to_buf(const struct iovec *iov, int iovcnt, size_t skip, void *buf, size_t len)
{
	return iov_walk(iov, iovcnt, skip, len, buf, IOV_TO_BUF);
}
