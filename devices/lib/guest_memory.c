/* Guest memory: the frontend's memory table and bounds-checked translation. */
#include "devices/lib/guest_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

int guest_memory_add(struct guest_memory *mem, uint64_t gpa, uint64_t size, uint64_t uaddr,
		     void *host, char *err, size_t errlen)
{
	if (mem->nregions == GUEST_MEMORY_MAX_REGIONS) {
		snprintf(err, errlen, "memory table: more than %d regions", GUEST_MEMORY_MAX_REGIONS);
		return -1;
	}
	if (size == 0 || gpa + size < gpa || uaddr + size < uaddr) {
		snprintf(err, errlen, "memory region gpa 0x%llx size 0x%llx: empty or wraps around",
			 (unsigned long long)gpa, (unsigned long long)size);
		return -1;
	}
	for (unsigned i = 0; i < mem->nregions; i++) {
		const struct guest_memory_region *r = &mem->regions[i];

		if (ranges_overlap(gpa, size, r->gpa, r->size) ||
		    ranges_overlap(uaddr, size, r->uaddr, r->size)) {
			snprintf(err, errlen,
				 "memory region gpa 0x%llx size 0x%llx overlaps region %u (gpa 0x%llx)",
				 (unsigned long long)gpa, (unsigned long long)size, i,
				 (unsigned long long)r->gpa);
			return -1;
		}
	}
	mem->regions[mem->nregions++] = (struct guest_memory_region){
		.gpa = gpa, .size = size, .uaddr = uaddr, .host = host,
	};
	return 0;
}

/* The memfd must hold [offset, offset + size) now and for as long as we map
 * it: a page past its end reads as SIGBUS, which would kill the device. A
 * seal against shrinking is the only promise a frontend can give that it
 * will not truncate the file later (QEMU's memory-backend-memfd and our
 * vmm seal theirs). */
static int check_backing_file(const struct guest_memory *mem, int fd, uint64_t offset,
			      uint64_t size, uint64_t gpa, struct stat *st_out, char *err,
			      size_t errlen)
{
	struct stat st;
	int seals;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "memory region gpa 0x%llx: fstat: %s", (unsigned long long)gpa,
			 strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "memory region gpa 0x%llx: its fd is not a memfd or file",
			 (unsigned long long)gpa);
		return -1;
	}
	if (offset > (uint64_t)st.st_size || size > (uint64_t)st.st_size - offset) {
		snprintf(err, errlen,
			 "memory region gpa 0x%llx: mmap offset 0x%llx + size 0x%llx past the end of its file (0x%llx bytes)",
			 (unsigned long long)gpa, (unsigned long long)offset,
			 (unsigned long long)size, (unsigned long long)st.st_size);
		return -1;
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		snprintf(err, errlen,
			 "memory region gpa 0x%llx: its memfd is not sealed against shrinking (F_SEAL_SHRINK)",
			 (unsigned long long)gpa);
		return -1;
	}
	for (unsigned i = 0; i < mem->nregions; i++) {
		const struct guest_memory_region *r = &mem->regions[i];

		if (r->map_base && r->file_dev == st.st_dev && r->file_ino == st.st_ino &&
		    ranges_overlap(offset, size, r->file_offset, r->size)) {
			snprintf(err, errlen,
				 "memory region gpa 0x%llx maps bytes of its memfd that region %u (gpa 0x%llx) maps too",
				 (unsigned long long)gpa, i, (unsigned long long)r->gpa);
			return -1;
		}
	}
	*st_out = st;
	return 0;
}

int guest_memory_map(struct guest_memory *mem, int fd, uint64_t offset, uint64_t gpa,
		     uint64_t size, uint64_t uaddr, char *err, size_t errlen)
{
	if (size == 0) {
		snprintf(err, errlen, "memory region gpa 0x%llx: empty region", (unsigned long long)gpa);
		return -1;
	}
	if (offset + size < offset || offset + size > SIZE_MAX) {
		snprintf(err, errlen, "memory region gpa 0x%llx: mmap offset 0x%llx + size 0x%llx too large",
			 (unsigned long long)gpa, (unsigned long long)offset, (unsigned long long)size);
		return -1;
	}
	struct stat st;

	if (check_backing_file(mem, fd, offset, size, gpa, &st, err, errlen) < 0)
		return -1;
	/* Map from offset 0 so the offset need not be page aligned. */
	size_t map_len = offset + size;
	void *base = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);

	if (base == MAP_FAILED) {
		snprintf(err, errlen, "memory region gpa 0x%llx size 0x%llx: mmap: %s",
			 (unsigned long long)gpa, (unsigned long long)size, strerror(errno));
		return -1;
	}
	if (guest_memory_add(mem, gpa, size, uaddr, (uint8_t *)base + offset, err, errlen) < 0) {
		munmap(base, map_len);
		return -1;
	}
	struct guest_memory_region *r = &mem->regions[mem->nregions - 1];

	r->map_base = base;
	r->map_len = map_len;
	r->file_dev = st.st_dev;
	r->file_ino = st.st_ino;
	r->file_offset = offset;
	return 0;
}

void guest_memory_clear(struct guest_memory *mem)
{
	for (unsigned i = 0; i < mem->nregions; i++)
		if (mem->regions[i].map_base)
			munmap(mem->regions[i].map_base, mem->regions[i].map_len);
	memset(mem, 0, sizeof(*mem));
}

static const struct guest_memory_region *find_region(const struct guest_memory *mem, uint64_t addr,
						     bool by_uaddr)
{
	for (unsigned i = 0; i < mem->nregions; i++) {
		const struct guest_memory_region *r = &mem->regions[i];
		uint64_t start = by_uaddr ? r->uaddr : r->gpa;

		if (addr >= start && addr - start < r->size)
			return r;
	}
	return NULL;
}

static void *translate(const struct guest_memory *mem, uint64_t addr, uint64_t len, bool by_uaddr)
{
	const struct guest_memory_region *r = find_region(mem, addr, by_uaddr);

	if (!r)
		return NULL;
	uint64_t off = addr - (by_uaddr ? r->uaddr : r->gpa);

	if (len == 0)
		len = 1;
	if (len > r->size - off)
		return NULL;
	return r->host + off;
}

void *guest_memory_gpa(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	return translate(mem, gpa, len, false);
}

void *guest_memory_uaddr(const struct guest_memory *mem, uint64_t uaddr, uint64_t len)
{
	return translate(mem, uaddr, len, true);
}

int guest_memory_iov(const struct guest_memory *mem, uint64_t gpa, uint64_t len,
		     struct iovec *iov, unsigned max)
{
	unsigned n = 0;

	if (gpa + len < gpa)
		return -1;
	while (len > 0) {
		const struct guest_memory_region *r = find_region(mem, gpa, false);

		if (!r || n == max)
			return -1;
		uint64_t off = gpa - r->gpa;
		uint64_t chunk = r->size - off < len ? r->size - off : len;

		iov[n].iov_base = r->host + off;
		iov[n].iov_len = chunk;
		n++;
		gpa += chunk;
		len -= chunk;
	}
	return (int)n;
}
