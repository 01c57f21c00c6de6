/* Whole-request file I/O for the formats: short transfers are retried,
 * and the result is 0 or a negative errno. A read that meets the end of
 * the file fills the rest with zeros when zero_at_eof, and fails with -EIO
 * otherwise. */
#ifndef DEVICES_DISK_FILE_IO_H
#define DEVICES_DISK_FILE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

int fd_preadv_full(int fd, const struct iovec *iov, int iovcnt, uint64_t offset, bool zero_at_eof);
int fd_pwritev_full(int fd, const struct iovec *iov, int iovcnt, uint64_t offset);
int fd_pread_full(int fd, void *buf, size_t len, uint64_t offset, bool zero_at_eof);
int fd_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

#endif
