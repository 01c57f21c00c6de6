/* acpi_write_files: the tables of a built area as one file each, the way
 * `acpidump -b` writes them, so `iasl -d` can disassemble what the vmm
 * gives its guest (guestmgr-vmm --dump-acpi DIR). The walk follows the
 * pointers the guest would follow, checking each against the area. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

/* Offsets from the ACPI specification (also asserted in acpi.c). */
#define HEADER_LENGTH		4
#define HEADER_SIZE		36
#define RSDP_SIZE		36
#define RSDP_XSDT_ADDRESS	24
#define FADT_DSDT		40
#define FADT_X_DSDT		140

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "acpi dump: ");
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t len,
		      char *err, size_t errlen)
{
	char path[4096];
	int fd;
	ssize_t n;

	if ((size_t)snprintf(path, sizeof path, "%s/%s.dat", dir, name) >= sizeof path)
		return fail(err, errlen, "'%s': path too long", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(err, errlen, "'%s': %s", path, strerror(errno));
	n = write(fd, data, len);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return fail(err, errlen, "'%s': write: %s", path, strerror(e));
	}
	if (close(fd) < 0)
		return fail(err, errlen, "'%s': close: %s", path, strerror(errno));
	return 0;
}

/* The table at guest-physical `gpa`, if it lies whole inside the area;
 * its length in *len. `what` names the pointer for the error message. */
static const uint8_t *table_at(const uint8_t *area, uint64_t gpa, const char *what,
			       uint32_t *len, char *err, size_t errlen)
{
	uint64_t offset = gpa - LAYOUT_ACPI_BASE;

	if (gpa < LAYOUT_ACPI_BASE || offset > LAYOUT_ACPI_SIZE - HEADER_SIZE) {
		fail(err, errlen, "%s: address 0x%llx outside the ACPI area", what,
		     (unsigned long long)gpa);
		return NULL;
	}
	*len = get_le32(area + offset + HEADER_LENGTH);
	if (*len < HEADER_SIZE || *len > LAYOUT_ACPI_SIZE - offset) {
		fail(err, errlen, "%s: length %u runs outside the ACPI area", what, *len);
		return NULL;
	}
	return area + offset;
}

/* Writes the table at `gpa` as <SIGNATURE>.dat; returns it, or NULL. */
static const uint8_t *dump_table(const uint8_t *area, uint64_t gpa, const char *what,
				 const char *dir, char *err, size_t errlen)
{
	const uint8_t *t;
	uint32_t len;
	char name[5];

	t = table_at(area, gpa, what, &len, err, errlen);
	if (!t)
		return NULL;
	for (int i = 0; i < 4; i++) {
		bool ok = (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_';

		if (!ok) {
			fail(err, errlen, "%s: signature is not 4 characters A-Z0-9_", what);
			return NULL;
		}
		name[i] = (char)t[i];
	}
	name[4] = '\0';
	if (write_file(dir, name, t, len, err, errlen) < 0)
		return NULL;
	return t;
}

int acpi_write_files(const uint8_t *area, const char *dir, char *err, size_t errlen)
{
	const uint8_t *xsdt, *t;
	uint32_t xsdt_len;
	uint64_t dsdt;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return fail(err, errlen, "'%s': %s", dir, strerror(errno));
	if (memcmp(area, "RSD PTR ", 8) != 0)
		return fail(err, errlen, "no RSDP at the start of the area");
	if (write_file(dir, "RSDP", area, RSDP_SIZE, err, errlen) < 0)
		return -1;
	xsdt = dump_table(area, get_le64(area + RSDP_XSDT_ADDRESS), "RSDP -> XSDT", dir, err, errlen);
	if (!xsdt)
		return -1;
	xsdt_len = get_le32(xsdt + HEADER_LENGTH);
	for (uint32_t off = HEADER_SIZE; off + 8 <= xsdt_len; off += 8) {
		t = dump_table(area, get_le64(xsdt + off), "XSDT entry", dir, err, errlen);
		if (!t)
			return -1;
		if (memcmp(t, "FACP", 4) != 0)
			continue;
		dsdt = 0;
		if (get_le32(t + HEADER_LENGTH) >= FADT_X_DSDT + 8)
			dsdt = get_le64(t + FADT_X_DSDT);
		if (dsdt == 0)
			dsdt = get_le32(t + FADT_DSDT);
		if (!dump_table(area, dsdt, "FADT -> DSDT", dir, err, errlen))
			return -1;
	}
	return 0;
}
