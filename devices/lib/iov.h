/* Scatter-gather helpers: a request's buffers as an iovec, cut into pieces
 * (a virtqueue chain into its header and data, a disk request into
 * clusters), filled with zeros or copied to and from flat buffers. All
 * lengths are within the iovec. */
#ifndef DEVICES_LIB_IOV_H
#define DEVICES_LIB_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Entries in one request: what preadv and pwritev take (Linux's
 * UIO_MAXIOV), so a request goes to the file as it is. */
#define IOV_MAX_SEGS 1024

size_t iov_length(const struct iovec *iov, int iovcnt);

/* Points OUT (room for IOV_MAX_SEGS) at bytes [skip, skip+len) of IOV;
 * returns the count of entries. */
int iov_slice(const struct iovec *iov, int iovcnt, size_t skip, size_t len, struct iovec *out);

/* Each returns the bytes it reached (less than LEN when IOV ends first). */
size_t iov_memset(const struct iovec *iov, int iovcnt, size_t skip, size_t len, int byte);
size_t iov_from_buf(const struct iovec *iov, int iovcnt, size_t skip, const void *buf, size_t len);
size_t iov_to_buf(const struct iovec *iov, int iovcnt, size_t skip, void *buf, size_t len);

#endif
