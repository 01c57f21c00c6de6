#include "fdt.h"

#include "format.h"
#include "libc.h"

#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9
#define HEADER_SIZE	40
#define MAX_DEPTH	16

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t align4(uint32_t off)
{
	return (off + 3) & ~3u;
}

bool fdt_open(struct fdt *fdt, const void *blob, uint64_t size, char *why, size_t why_size)
{
	const uint8_t *h = blob;
	uint32_t struct_size;

	if (size < HEADER_SIZE) {
		format(why, why_size, "%lu bytes, smaller than the header", size);
		return false;
	}
	memset(fdt, 0, sizeof(*fdt));
	fdt->blob = blob;
	fdt->size = fdt_be32(h + 4);
	fdt->struct_off = fdt_be32(h + 8);
	fdt->strings_off = fdt_be32(h + 12);
	fdt->version = fdt_be32(h + 20);
	fdt->strings_size = fdt_be32(h + 32);
	struct_size = fdt_be32(h + 36);
	if (fdt_be32(h) != FDT_MAGIC) {
		format(why, why_size, "magic %#x", fdt_be32(h));
		return false;
	}
	if (fdt->size < HEADER_SIZE || fdt->size > size) {
		format(why, why_size, "totalsize %u, but the module holds %lu bytes", fdt->size, size);
		return false;
	}
	if (fdt->version < 17 && fdt_be32(h + 24) > 17) {
		format(why, why_size, "version %u is too old (last compatible %u)", fdt->version,
		       fdt_be32(h + 24));
		return false;
	}
	if (fdt->struct_off < HEADER_SIZE || fdt->struct_off > fdt->size ||
	    struct_size > fdt->size - fdt->struct_off || (fdt->struct_off & 3)) {
		format(why, why_size, "structure block %u+%u outside the %u-byte blob", fdt->struct_off,
		       struct_size, fdt->size);
		return false;
	}
	if (fdt->strings_off > fdt->size || fdt->strings_size > fdt->size - fdt->strings_off) {
		format(why, why_size, "strings block %u+%u outside the %u-byte blob", fdt->strings_off,
		       fdt->strings_size, fdt->size);
		return false;
	}
	fdt->struct_end = fdt->struct_off + struct_size;
	return true;
}

/* The token at *off, advancing past it; false at the end of the block. */
static bool next_token(const struct fdt *fdt, uint32_t *off, uint32_t *token)
{
	if (*off > fdt->struct_end || fdt->struct_end - *off < 4)
		return false;
	*token = fdt_be32(fdt->blob + *off);
	*off += 4;
	return true;
}

/* After FDT_BEGIN_NODE: the name, *off moved past it; NULL if unterminated. */
static const char *node_name(const struct fdt *fdt, uint32_t *off)
{
	const char *name = (const char *)fdt->blob + *off;
	size_t n = strnlen(name, fdt->struct_end - *off);

	if (n == fdt->struct_end - *off)
		return NULL;
	*off = align4(*off + (uint32_t)n + 1);
	return name;
}

/* After FDT_PROP: its name and value, *off moved past it; false if they
 * overrun their blocks. */
static bool prop_body(const struct fdt *fdt, uint32_t *off, const char **name, const uint8_t **value,
		      uint32_t *len)
{
	uint32_t nameoff;

	if (fdt->struct_end - *off < 8)
		return false;
	*len = fdt_be32(fdt->blob + *off);
	nameoff = fdt_be32(fdt->blob + *off + 4);
	*off += 8;
	if (*len > fdt->struct_end - *off || nameoff >= fdt->strings_size)
		return false;
	*name = (const char *)fdt->blob + fdt->strings_off + nameoff;
	if (strnlen(*name, fdt->strings_size - nameoff) == fdt->strings_size - nameoff)
		return false;
	*value = fdt->blob + *off;
	*off = align4(*off + *len);
	return true;
}

bool fdt_prop(const struct fdt *fdt, uint32_t node_offset, const char *name, const uint8_t **value,
	      uint32_t *len)
{
	uint32_t off = node_offset + 4, token;

	if (!node_name(fdt, &off))
		return false;
	while (next_token(fdt, &off, &token)) {
		const char *pname;

		if (token == FDT_NOP)
			continue;
		if (token != FDT_PROP || !prop_body(fdt, &off, &pname, value, len))
			return false;	/* properties come before subnodes */
		if (strcmp(pname, name) == 0)
			return true;
	}
	return false;
}

const char *fdt_prop_string(const struct fdt *fdt, uint32_t node_offset, const char *name)
{
	const uint8_t *v;
	uint32_t len;

	if (!fdt_prop(fdt, node_offset, name, &v, &len) || len == 0 || v[len - 1] != '\0')
		return NULL;
	return strnlen((const char *)v, len) == len - 1 ? (const char *)v : NULL;
}

static uint32_t prop_u32_or(const struct fdt *fdt, uint32_t node_offset, const char *name,
			    uint32_t fallback)
{
	const uint8_t *v;
	uint32_t len;

	if (!fdt_prop(fdt, node_offset, name, &v, &len) || len != 4)
		return fallback;
	return fdt_be32(v);
}

bool fdt_walk(const struct fdt *fdt, void (*visit)(const struct fdt *, const struct fdt_node *, void *),
	      void *ctx, char *why, size_t why_size)
{
	uint32_t address_cells[MAX_DEPTH + 1], size_cells[MAX_DEPTH + 1];
	size_t path_len[MAX_DEPTH + 1];
	char path[FDT_PATH_MAX];
	uint32_t off = fdt->struct_off, token;
	unsigned depth = 0;	/* nodes open */

	while (next_token(fdt, &off, &token)) {
		uint32_t node_off = off - 4, len;
		struct fdt_node node;
		const uint8_t *value;
		const char *name;

		switch (token) {
		case FDT_BEGIN_NODE:
			name = node_name(fdt, &off);
			if (!name) {
				format(why, why_size, "node at %u: name runs past the structure block",
				       node_off);
				return false;
			}
			if (depth == MAX_DEPTH) {
				format(why, why_size, "node at %u: nested deeper than %u", node_off, MAX_DEPTH);
				return false;
			}
			path_len[depth] = depth ? path_len[depth - 1] : 0;
			if (path_len[depth] + strlen(name) + 2 > sizeof(path)) {
				format(why, why_size, "node at %u: path longer than %u", node_off, FDT_PATH_MAX);
				return false;
			}
			if (depth > 1)
				path[path_len[depth]++] = '/';
			memcpy(path + path_len[depth], name, strlen(name));
			path_len[depth] += strlen(name);
			if (depth == 0)
				path[path_len[depth]++] = '/';
			path[path_len[depth]] = '\0';
			address_cells[depth] = prop_u32_or(fdt, node_off, "#address-cells", 2);
			size_cells[depth] = prop_u32_or(fdt, node_off, "#size-cells", 1);
			node = (struct fdt_node){
				.offset = node_off, .name = name, .path = path, .depth = depth,
				.parent_address_cells = depth ? address_cells[depth - 1] : 2,
				.parent_size_cells = depth ? size_cells[depth - 1] : 1,
			};
			visit(fdt, &node, ctx);
			depth++;
			break;
		case FDT_END_NODE:
			if (depth == 0) {
				format(why, why_size, "END_NODE at %u closes no node", node_off);
				return false;
			}
			depth--;
			path[depth ? path_len[depth - 1] : 0] = '\0';
			break;
		case FDT_PROP:
			if (!prop_body(fdt, &off, &name, &value, &len)) {
				format(why, why_size, "property at %u overruns its block", node_off);
				return false;
			}
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth) {
				format(why, why_size, "END at %u with %u nodes open", node_off, depth);
				return false;
			}
			return true;
		default:
			format(why, why_size, "unknown token %#x at %u", token, node_off);
			return false;
		}
	}
	format(why, why_size, "structure block ends without FDT_END");
	return false;
}

struct find_ctx {
	const char *want;
	bool found;
	uint32_t offset;
};

/* "/cpus/cpu" matches "/cpus/cpu@0" when the last component has no '@'. */
static bool path_matches(const char *want, const char *path)
{
	while (*want && *want == *path) {
		want++;
		path++;
	}
	if (*want)
		return false;
	return !*path || (*path == '@' && !strchr(path, '/'));
}

static void find_visit(const struct fdt *fdt, const struct fdt_node *node, void *ctx)
{
	struct find_ctx *f = ctx;

	(void)fdt;
	if (!f->found && path_matches(f->want, node->path)) {
		f->found = true;
		f->offset = node->offset;
	}
}

bool fdt_find(const struct fdt *fdt, const char *path, uint32_t *node_offset)
{
	struct find_ctx f = { path, false, 0 };
	char why[8];

	fdt_walk(fdt, find_visit, &f, why, sizeof(why));
	*node_offset = f.offset;
	return f.found;
}
