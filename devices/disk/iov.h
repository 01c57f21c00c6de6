/* Scatter-gather helpers for the formats: a guest request arrives as an
 * iovec and is cut into per-cluster pieces, filled with zeros or copied to
 * and from bounce buffers. All lengths are within the iovec. */
#ifndef DEVICES_DISK_IOV_H
#define DEVICES_DISK_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define DISK_IOV_MAX 1024

size_t iov_length(const struct iovec *iov, int iovcnt);

/* Points OUT (room for DISK_IOV_MAX) at bytes [skip, skip+len) of IOV;
 * returns the count of entries. */
int iov_slice(const struct iovec *iov, int iovcnt, size_t skip, size_t len, struct iovec *out);

void iov_memset(const struct iovec *iov, int iovcnt, size_t skip, size_t len, int byte);
void iov_from_buf(const struct iovec *iov, int iovcnt, size_t skip, const void *buf, size_t len);
void iov_to_buf(const struct iovec *iov, int iovcnt, size_t skip, void *buf, size_t len);

/* Whole-request file I/O: retries short transfers; 0 or a negative errno.
 * A read that meets the end of the file fills the rest with zeros when
 * zero_at_eof, and fails with -EIO otherwise. */
int fd_preadv_full(int fd, const struct iovec *iov, int iovcnt, uint64_t offset, bool zero_at_eof);
int fd_pwritev_full(int fd, const struct iovec *iov, int iovcnt, uint64_t offset);
int fd_pread_full(int fd, void *buf, size_t len, uint64_t offset, bool zero_at_eof);
int fd_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

#endif
