/* blk: the whole disk read through virtio-blk (virtio 1.2 §5.2) in 4 KiB
 * requests, direct and indirect by turns, its CRC-32 printed for the host
 * to compare; GET_ID; and, with blk_write=<sector>:<byte>, one sector
 * written, flushed and read back. Every request must complete through its
 * MSI-X vector. Parameters: blk_expect_ro=0|1 checks the RO feature. */
#include "cmdline.h"
#include "crc32.h"
#include "libc.h"
#include "pci.h"
#include "report.h"
#include "scenario.h"
#include "virtio/blk.h"

#define CHUNK		4096
#define MAX_SECTORS	(8 * 1024 * 1024 / BLK_SECTOR)	/* bounds the guest's work */

static uint8_t chunk[CHUNK] __attribute__((aligned(16)));
static uint8_t before[BLK_SECTOR], after[BLK_SECTOR];

static void read_disk(struct virtio_dev *d, uint64_t sectors, bool *irq_ok)
{
	uint32_t crc = 0;
	unsigned requests = 0;

	for (uint64_t s = 0; s < sectors; requests++) {
		uint64_t n = sectors - s < CHUNK / BLK_SECTOR ? sectors - s : CHUNK / BLK_SECTOR;
		uint8_t status = blk_do(d, VIRTIO_BLK_T_IN, s, chunk, (uint32_t)(n * BLK_SECTOR),
					requests & 1, irq_ok);

		if (status != VIRTIO_BLK_S_OK) {
			report_fail("read", "sector %lu: status %#x", s, status);
			return;
		}
		crc = crc32_update(crc, chunk, n * BLK_SECTOR);
		s += n;
	}
	report_pass("read", "%lu sectors in %u requests (%s)", sectors, requests,
		    virtio_has(d, VIRTIO_F_INDIRECT_DESC) ? "direct and indirect" : "direct");
	report_info("blk_crc32=%08x blk_sectors=%lu", crc, sectors);
}

static void get_id(struct virtio_dev *d, bool *irq_ok)
{
	char id[BLK_ID_BYTES + 1] = "";
	uint8_t status = blk_do(d, VIRTIO_BLK_T_GET_ID, 0, id, BLK_ID_BYTES, false, irq_ok);

	id[BLK_ID_BYTES] = '\0';
	for (char *p = id; *p; p++)
		if (*p <= ' ' || *p > '~')
			*p = '_';
	if (report_check(status == VIRTIO_BLK_S_OK, "get_id", "status %#x", status))
		report_info("blk_serial=%s", id[0] ? id : "(empty)");
}

/* blk_write=<sector>:<byte>: the status goes to INFO for the host to judge
 * (IOERR is right for a read-only disk); the sector read back must hold
 * the pattern after OK and the old content after an error. */
static void write_sector(struct virtio_dev *d, uint64_t sectors, bool *irq_ok)
{
	const char *spec = param("blk_write");
	char num[24];
	const char *colon = spec ? strchr(spec, ':') : NULL;
	uint64_t sector, pattern;
	uint8_t status;
	bool same;

	if (!spec)
		return;
	if (!colon || (size_t)(colon - spec) >= sizeof(num)) {
		report_fail("write", "blk_write='%s' is not <sector>:<byte>", spec);
		return;
	}
	memcpy(num, spec, (size_t)(colon - spec));
	num[colon - spec] = '\0';
	if (!parse_u64(num, &sector) || !parse_u64(colon + 1, &pattern) || pattern > 0xff ||
	    sector >= sectors) {
		report_fail("write", "blk_write='%s': sector below %lu, byte up to 0xff", spec, sectors);
		return;
	}
	if (blk_do(d, VIRTIO_BLK_T_IN, sector, before, BLK_SECTOR, false, irq_ok) != VIRTIO_BLK_S_OK) {
		report_fail("write", "reading sector %lu before the write failed", sector);
		return;
	}
	memset(chunk, (int)pattern, BLK_SECTOR);
	status = blk_do(d, VIRTIO_BLK_T_OUT, sector, chunk, BLK_SECTOR, false, irq_ok);
	report_info("blk_write_status=%u", status);
	report_check(status == VIRTIO_BLK_S_OK || status == VIRTIO_BLK_S_IOERR, "write",
		     "sector %lu <- %#lx: status %u", sector, pattern, status);
	if (virtio_has(d, VIRTIO_BLK_F_FLUSH)) {
		uint8_t fs = blk_do(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false, irq_ok);

		report_check(fs == VIRTIO_BLK_S_OK || (status != VIRTIO_BLK_S_OK && fs == VIRTIO_BLK_S_IOERR),
			     "flush", "status %u", fs);
	}
	if (blk_do(d, VIRTIO_BLK_T_IN, sector, after, BLK_SECTOR, false, irq_ok) != VIRTIO_BLK_S_OK) {
		report_fail("write_readback", "reading sector %lu back failed", sector);
		return;
	}
	same = memcmp(after, status == VIRTIO_BLK_S_OK ? chunk : before, BLK_SECTOR) == 0;
	report_check(same, "write_readback", "sector %lu holds %s", sector,
		     status == VIRTIO_BLK_S_OK ? "the pattern" : "its old content");
}

void scenario_blk(void)
{
	const char *error = NULL;
	struct virtio_dev *d = blk_open(&error);
	uint64_t sectors, expect_ro;
	bool irq_ok = true, bad;
	unsigned irqs;

	if (!report_check(d != NULL, "open", "%s", d ? "DRIVER_OK" : error))
		return;
	report_info("blk_features=%#lx offered=%#lx pci_bars_assigned_by_guest=%u", d->features,
		    d->offered, pci_bars_assigned());
	if (param_u64("blk_expect_ro", &expect_ro, &bad))
		report_check(!bad && virtio_has(d, VIRTIO_BLK_F_RO) == (expect_ro != 0), "ro",
			     "VIRTIO_BLK_F_RO %s, expected %s", virtio_has(d, VIRTIO_BLK_F_RO) ? "on" : "off",
			     expect_ro ? "on" : "off");
	sectors = virtio_cfg64(d, 0);
	if (report_check(sectors > 0 && sectors <= MAX_SECTORS, "capacity",
			 "%lu sectors (this guest reads up to %u)", sectors, MAX_SECTORS))
		read_disk(d, sectors, &irq_ok);
	get_id(d, &irq_ok);
	write_sector(d, sectors, &irq_ok);
	irqs = virtio_irqs(d->vq[0].vector);
	report_check(irq_ok, "irq", "%u interrupts on MSI-X vector %#x%s", irqs, d->vq[0].vector,
		     irq_ok ? "" : "; some requests completed without one (found by polling)");
	virtio_reset(d);
}
