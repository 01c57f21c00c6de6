#include "crc32.h"

#include <stdbool.h>

/* A 32-bit load from any address (x86 allows it) that the compiler may
 * not assume aligned or alias-free. */
typedef uint32_t __attribute__((may_alias, aligned(1))) unaligned_u32;

/* Slicing by 4: table[k][b] is the CRC of byte b followed by k zero
 * bytes, so four bytes take four lookups. Guest code runs emulated on
 * KVM-PVM, and this halves the instructions per byte of the plain table. */
static uint32_t table[4][256];
static bool table_ready;

static void make_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 4; k++)
			table[k][i] = table[0][table[k - 1][i] & 0xff] ^ (table[k - 1][i] >> 8);
	table_ready = true;
}

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!table_ready)
		make_tables();
	crc = ~crc;
	for (; len >= 4; len -= 4, p += 4) {
		crc ^= *(const unaligned_u32 *)p;	/* little-endian */
		crc = table[3][crc & 0xff] ^ table[2][(crc >> 8) & 0xff] ^
		      table[1][(crc >> 16) & 0xff] ^ table[0][crc >> 24];
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
