/* The few C library functions a freestanding program needs. gcc may emit
 * calls to memset/memcpy/memmove/memcmp on its own, so those keep their
 * standard names. */
#ifndef TESTGUEST_LIBC_H
#define TESTGUEST_LIBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Copies at most size-1 bytes and always terminates (size > 0). */
void strlcopy(char *dst, const char *src, size_t size);

/* Parses a whole string as an unsigned number: decimal, or hex with 0x.
 * False on empty input, stray characters or overflow. */
bool parse_u64(const char *s, uint64_t *out);

#endif
