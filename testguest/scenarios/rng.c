/* rng: two reads of the entropy device (virtio 1.2 §5.4), each answered
 * through its MSI-X vector, not all zero and not equal. */
#include "libc.h"
#include "report.h"
#include "scenario.h"
#include "virtio/virtio.h"

#define RNG_BYTES 64
#define RNG_TIMEOUT_MS 1000

static uint8_t pool[2][RNG_BYTES];

static bool all_zero(const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

void scenario_rng(void)
{
	static struct virtio_dev d;
	const struct pci_func *f = virtio_find(VIRTIO_ID_ENTROPY);
	unsigned irqs = 0;
	bool opened;

	if (!report_check(f != NULL, "found", "virtio-rng %s", f ? "on bus 0" : "missing"))
		return;
	opened = virtio_open(&d, f, 0, 1);
	if (!report_check(opened, "open", "%s", opened ? "DRIVER_OK" : d.error))
		return;
	for (unsigned i = 0; i < 2; i++) {
		struct vbuf b = { pool[i], RNG_BYTES, true };
		struct vq_completion c;

		vq_submit(&d.vq[0], &b, 1, false);
		c = vq_wait(&d.vq[0], RNG_TIMEOUT_MS);
		irqs += c.by_irq;
		if (!report_check(c.done && c.len > 0 && c.len <= RNG_BYTES,
				  i ? "read2" : "read1", "%u bytes", c.done ? c.len : 0))
			break;
		report_check(!all_zero(pool[i], c.len), i ? "nonzero2" : "nonzero1",
			     "first bytes %02x %02x %02x %02x", pool[i][0], pool[i][1], pool[i][2],
			     pool[i][3]);
	}
	report_check(memcmp(pool[0], pool[1], RNG_BYTES) != 0, "different", "the two reads %s",
		     memcmp(pool[0], pool[1], RNG_BYTES) ? "differ" : "are equal");
	report_check(irqs == 2, "irq", "%u of 2 reads completed by MSI-X vector %#x", irqs,
		     d.vq[0].vector);
	virtio_reset(&d);
}
