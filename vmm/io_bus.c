#include "vmm/io_bus.h"

#include <stdlib.h>
#include <string.h>

void io_bus_init(struct io_bus *bus)
{
	bus->ranges = NULL;
	bus->n = bus->cap = 0;
}

void io_bus_destroy(struct io_bus *bus)
{
	free(bus->ranges);
	io_bus_init(bus);
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_fn fn, void *opaque)
{
	unsigned int pos = 0;

	if (len == 0 || base + len < base)
		return -1;
	while (pos < bus->n && bus->ranges[pos].base < base)
		pos++;
	if (pos > 0 && bus->ranges[pos - 1].base + bus->ranges[pos - 1].len > base)
		return -1;
	if (pos < bus->n && base + len > bus->ranges[pos].base)
		return -1;
	if (bus->n == bus->cap) {
		unsigned int cap = bus->cap ? bus->cap * 2 : 8;
		struct io_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r)
			return -1;
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->n - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct io_range){ base, len, fn, opaque, 0 };
	bus->n++;
	return 0;
}

bool io_bus_access(struct io_bus *bus, uint64_t addr, uint8_t *data,
		   unsigned int size, bool is_write)
{
	unsigned int lo = 0, hi = bus->n;

	/* Binary search for the last range starting at or below addr. */
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	struct io_range *r = &bus->ranges[lo - 1];

	if (addr - r->base >= r->len)
		return false;
	atomic_fetch_add_explicit(&r->exits, 1, memory_order_relaxed);
	r->fn(r->opaque, addr - r->base, data, size, is_write);
	return true;
}

void io_bus_print_stats(struct io_bus *bus, const char *what, FILE *to)
{
	for (unsigned int i = 0; i < bus->n; i++)
		fprintf(to, "vmm: stats: %s %#llx+%#llx exits %lu\n", what,
			(unsigned long long)bus->ranges[i].base,
			(unsigned long long)bus->ranges[i].len,
			(unsigned long)atomic_load(&bus->ranges[i].exits));
}
