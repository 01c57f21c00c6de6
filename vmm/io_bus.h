/* Dispatch of guest port I/O and MMIO exits to device models. A bus is a
 * sorted table of non-overlapping ranges, filled while the machine is built
 * and only read once vCPUs run (so lookups take no lock). */
#ifndef VMM_IO_BUS_H
#define VMM_IO_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* offset is relative to the range's base; data holds size bytes
 * (little-endian, as the guest sees them): filled by the handler on a read,
 * read by it on a write. */
typedef void (*io_handler_fn)(void *opaque, uint64_t offset, uint8_t *data,
			      unsigned int size, bool is_write);

struct io_range {
	uint64_t base;
	uint64_t len;
	io_handler_fn fn;
	void *opaque;
	atomic_ulong exits;	/* guest accesses that reached the handler */
};

struct io_bus {
	struct io_range *ranges;
	unsigned int n;
	unsigned int cap;
};

void io_bus_init(struct io_bus *bus);
void io_bus_destroy(struct io_bus *bus);

/* -1 if [base, base + len) overlaps a registered range or on no memory. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_fn fn, void *opaque);

/* false if no device claims addr: the caller decides what the guest sees. */
bool io_bus_access(struct io_bus *bus, uint64_t addr, uint8_t *data,
		   unsigned int size, bool is_write);

/* One line per range: "vmm: stats: <what> 0x3f8+0x8 exits N". */
void io_bus_print_stats(struct io_bus *bus, const char *what, FILE *to);

#endif
