/* A small read-only reader of flattened device trees (the DTSpec's FDT
 * format). Every offset is checked against the blob before it is read: the
 * blob comes from the vmm and is not trusted. */
#ifndef TESTGUEST_FDT_H
#define TESTGUEST_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_PATH_MAX 256

struct fdt {
	const uint8_t *blob;
	uint32_t size;			/* totalsize from the header */
	uint32_t version;
	uint32_t struct_off, struct_end;
	uint32_t strings_off, strings_size;
};

struct fdt_node {
	uint32_t offset;		/* of its FDT_BEGIN_NODE token */
	const char *name;		/* "" for the root */
	const char *path;		/* "/", "/cpus/cpu@0" ... */
	unsigned depth;			/* 0 for the root */
	uint32_t parent_address_cells;	/* how to read this node's reg */
	uint32_t parent_size_cells;
};

uint32_t fdt_be32(const void *p);

/* Checks the header against the size of the blob we hold. */
bool fdt_open(struct fdt *fdt, const void *blob, uint64_t size, char *why, size_t why_size);

/* Calls visit for every node, depth first; false (with why) when the
 * structure block is malformed. */
bool fdt_walk(const struct fdt *fdt, void (*visit)(const struct fdt *, const struct fdt_node *, void *),
	      void *ctx, char *why, size_t why_size);

/* A property of the node at node_offset: false when absent. */
bool fdt_prop(const struct fdt *fdt, uint32_t node_offset, const char *name, const uint8_t **value,
	      uint32_t *len);
/* A property holding one NUL-terminated string, or NULL. */
const char *fdt_prop_string(const struct fdt *fdt, uint32_t node_offset, const char *name);

/* The first node at a path, matched exactly, except that the last
 * component may leave out its unit address ("/cpus/cpu" finds cpu@0). */
bool fdt_find(const struct fdt *fdt, const char *path, uint32_t *node_offset);

#endif
