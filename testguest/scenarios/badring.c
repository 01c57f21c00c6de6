/* badring: what a hostile guest puts in a virtio-blk queue, selected by
 * badring=<kind>:
 *   loop   a descriptor chain that loops back on itself (head -> head)
 *   oob    a data buffer at 1 TiB, outside guest memory
 *   len    a data buffer starting in RAM and running 64 KiB past its end
 *   long   an indirect chain of 64 descriptors, more than the queue size
 *   avail  the avail index moved by more than the queue size
 * The device must set NEEDS_RESET (status 0x40) or refuse the request
 * (an error status, or no completion) within BADRING_WAIT_MS; completing
 * it with status OK fails. With NEEDS_RESET, config_irq checks that the
 * configuration interrupt announced it. The device is reset afterwards. */
#include "bootinfo.h"
#include "cmdline.h"
#include "libc.h"
#include "report.h"
#include "scenario.h"
#include "timer.h"
#include "virtio/blk.h"

#define BADRING_WAIT_MS		500
#define OUTSIDE_MEMORY		(1ull << 40)
#define OVERRUN			65536

static struct blk_request req;
static uint8_t data[BLK_SECTOR];

static void chain_in_ring(struct virtq *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		q->desc[i] = (struct virtq_desc){
			.addr = (uintptr_t)req.bufs[i].addr, .len = req.bufs[i].len,
			.flags = (uint16_t)((req.bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			.next = (uint16_t)(i + 1),
		};
	}
}

/* The end of the RAM block holding this guest's image. */
static uint64_t ram_end(void)
{
	const struct boot_memmap_entry *e = boot_ram_holding((uintptr_t)data, (uintptr_t)data + 1);

	return e ? e->addr + e->size : 0;
}

/* Writes the bad request of this kind and makes it available; false for
 * an unknown kind. */
static bool submit_bad(struct virtq *q, const char *kind)
{
	unsigned n = blk_chain(&req, VIRTIO_BLK_T_IN, 0, data, BLK_SECTOR);
	uint16_t step = 1;

	chain_in_ring(q, n);
	if (strcmp(kind, "loop") == 0) {
		/* Back to the head from the header itself: only readable
		 * descriptors, so nothing but loop detection stops it. */
		q->desc[0].next = 0;
	} else if (strcmp(kind, "oob") == 0) {
		q->desc[1].addr = OUTSIDE_MEMORY;
	} else if (strcmp(kind, "len") == 0) {
		q->desc[1].addr = ram_end() - BLK_SECTOR;
		q->desc[1].len = BLK_SECTOR + OVERRUN;
	} else if (strcmp(kind, "long") == 0) {
		unsigned last = VIRTQ_MAX_INDIRECT - 1;

		for (unsigned i = 0; i <= last; i++) {
			const struct vbuf *b = &req.bufs[i == 0 ? 0 : i == last ? 2 : 1];

			q->indirect[i] = (struct virtq_desc){
				.addr = (uintptr_t)b->addr, .len = b->len,
				.flags = (uint16_t)((b->write ? VIRTQ_DESC_F_WRITE : 0) |
						    (i < last ? VIRTQ_DESC_F_NEXT : 0)),
				.next = (uint16_t)(i + 1),
			};
		}
		q->desc[0] = (struct virtq_desc){ .addr = (uintptr_t)q->indirect,
						  .len = VIRTQ_MAX_INDIRECT * sizeof(struct virtq_desc),
						  .flags = VIRTQ_DESC_F_INDIRECT };
	} else if (strcmp(kind, "avail") == 0) {
		step = (uint16_t)(q->size + 1);
	} else {
		return false;
	}
	vq_publish(q, 0, step);
	vq_notify(q);
	return true;
}

static bool reacted(void *arg)
{
	struct virtio_dev *d = arg;

	return (virtio_status(d) & VIRTIO_STATUS_NEEDS_RESET) ||
	       ((volatile struct virtq_used *)d->vq[0].used)->idx != d->vq[0].last_used;
}

void scenario_badring(void)
{
	const char *kind = param("badring"), *error = NULL;
	struct virtio_dev *d;
	unsigned config_irqs;
	uint8_t status;

	if (!kind) {
		report_fail("kind", "no badring=loop|oob|len|long|avail on the command line");
		return;
	}
	d = blk_open(&error);
	if (!report_check(d != NULL, "open", "%s", d ? "DRIVER_OK" : error))
		return;
	if (!strcmp(kind, "long") && !virtio_has(d, VIRTIO_F_INDIRECT_DESC)) {
		report_fail(kind, "the device does not offer INDIRECT_DESC");
		virtio_reset(d);
		return;
	}
	config_irqs = virtio_irqs(d->config_vector);
	if (!submit_bad(&d->vq[0], kind)) {
		report_fail("kind", "unknown badring kind '%s'", kind);
		virtio_reset(d);
		return;
	}
	wait_for(reacted, d, BADRING_WAIT_MS);
	/* The config interrupt that announces NEEDS_RESET may trail the status. */
	wait_for(NULL, NULL, 20);
	status = virtio_status(d);
	config_irqs = virtio_irqs(d->config_vector) - config_irqs;
	report_info("badring_status=%#x badring_config_irqs=%u", status, config_irqs);
	if (status & VIRTIO_STATUS_NEEDS_RESET) {
		report_pass(kind, "device marked needs-reset (status %#x)", status);
		/* §2.1.2: a device that sets NEEDS_RESET must notify a config change. */
		report_check(config_irqs > 0, "config_irq", "%u configuration interrupts on vector %#x",
			     config_irqs, d->config_vector);
	} else if (((volatile struct virtq_used *)d->vq[0].used)->idx == d->vq[0].last_used) {
		report_pass(kind, "device left the request uncompleted for %u ms", BADRING_WAIT_MS);
	} else if (*(volatile uint8_t *)&req.status != VIRTIO_BLK_S_OK) {
		report_pass(kind, "device refused the request with status %#x", req.status);
	} else {
		report_fail(kind, "device completed the bogus request with status OK");
	}
	virtio_reset(d);
}
