/* CRC-32 as zlib, gzip and Python's zlib.crc32 compute it (reflected
 * polynomial 0xedb88320), so the host checks a disk with one command. */
#ifndef TESTGUEST_CRC32_H
#define TESTGUEST_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed the result back in for the next piece. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
