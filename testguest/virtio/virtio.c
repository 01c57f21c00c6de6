#include "virtio/virtio.h"

#include "arch.h"
#include "format.h"
#include "idt.h"
#include "libc.h"
#include "timer.h"

/* virtio_pci_cap.cfg_type */
#define CAP_COMMON	1
#define CAP_NOTIFY	2
#define CAP_ISR		3
#define CAP_DEVICE	4

/* struct virtio_pci_common_cfg */
#define CC_DEVICE_FEATURE_SELECT	0x00
#define CC_DEVICE_FEATURE		0x04
#define CC_DRIVER_FEATURE_SELECT	0x08
#define CC_DRIVER_FEATURE		0x0c
#define CC_MSIX_CONFIG			0x10
#define CC_NUM_QUEUES			0x12
#define CC_DEVICE_STATUS		0x14
#define CC_CONFIG_GENERATION		0x15
#define CC_QUEUE_SELECT			0x16
#define CC_QUEUE_SIZE			0x18
#define CC_QUEUE_MSIX_VECTOR		0x1a
#define CC_QUEUE_ENABLE			0x1c
#define CC_QUEUE_NOTIFY_OFF		0x1e
#define CC_QUEUE_DESC			0x20
#define CC_QUEUE_DRIVER			0x28
#define CC_QUEUE_DEVICE			0x30

#define NO_VECTOR	0xffff
#define MAX_DEVICES	4	/* device slots, each with VECTORS_PER_DEVICE vectors */
#define VECTORS_PER_DEVICE 4
#define PAGE		4096

/* One page per queue: descriptors, avail ring, used ring, indirect table. */
struct ring_page {
	struct virtq_desc desc[VIRTQ_MAX_SIZE];
	struct virtq_avail avail;
	struct virtq_used used __attribute__((aligned(4)));
	struct virtq_desc indirect[VIRTQ_MAX_INDIRECT] __attribute__((aligned(16)));
};
_Static_assert(sizeof(struct ring_page) <= PAGE, "a queue's rings fit a page");

static uint8_t ring_pages[MAX_DEVICES][VIRTIO_MAX_QUEUES][PAGE] __attribute__((aligned(PAGE)));
static const struct pci_func *slots[MAX_DEVICES];
static volatile unsigned irq_counts[VECTORS_PER_DEVICE * MAX_DEVICES];

static void virtio_interrupt(struct trap_frame *frame)
{
	irq_counts[frame->vector - VEC_VIRTIO]++;
}

unsigned virtio_irqs(uint8_t vector)
{
	return irq_counts[vector - VEC_VIRTIO];
}

/* Modern ids are 0x1040 + type; transitional ones (0x1000-0x103f) have
 * their own numbering, of which these are the types we drive. */
const struct pci_func *virtio_find(unsigned type)
{
	static const uint16_t transitional[] = { 0, 0, 0x1001, 0x1003, 0x1005 };
	uint16_t ids[2] = { (uint16_t)(0x1040 + type), 0 };

	if (type < sizeof(transitional) / sizeof(transitional[0]))
		ids[1] = transitional[type];
	return pci_find(VIRTIO_VENDOR, ids, ids[1] ? 2 : 1);
}

static int slot_of(const struct pci_func *f)
{
	for (int i = 0; i < MAX_DEVICES; i++) {
		if (slots[i] == f || !slots[i]) {
			slots[i] = f;
			return i;
		}
	}
	return -1;
}

static bool fail(struct virtio_dev *d, const char *why, unsigned long a, unsigned long b)
{
	format(d->error, sizeof(d->error), why, a, b);
	mmio_write8(d->common + CC_DEVICE_STATUS,
		    mmio_read8(d->common + CC_DEVICE_STATUS) | VIRTIO_STATUS_FAILED);
	return false;
}

/* The vendor capabilities: where each structure is (BAR + offset). */
static bool find_structures(struct virtio_dev *d)
{
	const struct pci_func *f = d->pci;

	for (uint8_t c = pci_next_cap(f, PCI_CAP_VENDOR, 0); c; c = pci_next_cap(f, PCI_CAP_VENDOR, c)) {
		uint8_t type = pci_read8(f, c + 3), bar = pci_read8(f, c + 4);
		uint64_t base = bar < 6 ? pci_bar(f, bar) : 0;
		uint64_t addr = base + pci_read32(f, c + 8);
		uint64_t *where = type == CAP_COMMON ? &d->common : type == CAP_NOTIFY ? &d->notify :
				  type == CAP_ISR ? &d->isr : type == CAP_DEVICE ? &d->device : NULL;

		if (!where || *where || !base)
			continue;	/* other types (PCI cfg access), or a later duplicate */
		*where = addr;
		if (type == CAP_NOTIFY)
			d->notify_multiplier = pci_read32(f, c + 16);
	}
	return d->common && d->notify && d->isr;
}

void virtio_reset(struct virtio_dev *d)
{
	mmio_write8(d->common + CC_DEVICE_STATUS, 0);
	/* The device may take a while to finish the reset (§4.1.4.3.2). */
	for (unsigned i = 0; i < 10000 && mmio_read8(d->common + CC_DEVICE_STATUS); i++)
		cpu_relax();
}

uint8_t virtio_status(const struct virtio_dev *d)
{
	return mmio_read8(d->common + CC_DEVICE_STATUS);
}

bool virtio_has(const struct virtio_dev *d, unsigned feature)
{
	return d->features >> feature & 1;
}

static void set_status(struct virtio_dev *d, uint8_t bits)
{
	mmio_write8(d->common + CC_DEVICE_STATUS, virtio_status(d) | bits);
}

static uint32_t feature_word(struct virtio_dev *d, unsigned sel)
{
	mmio_write32(d->common + CC_DEVICE_FEATURE_SELECT, sel);
	return mmio_read32(d->common + CC_DEVICE_FEATURE);
}

static bool negotiate(struct virtio_dev *d, uint64_t wanted)
{
	d->offered = feature_word(d, 0) | (uint64_t)feature_word(d, 1) << 32;
	d->features = d->offered & (wanted | 1ull << VIRTIO_F_VERSION_1);
	if (!virtio_has(d, VIRTIO_F_VERSION_1))
		return fail(d, "VERSION_1 not offered (features %#lx)", d->offered, 0);
	for (unsigned sel = 0; sel < 2; sel++) {
		mmio_write32(d->common + CC_DRIVER_FEATURE_SELECT, sel);
		mmio_write32(d->common + CC_DRIVER_FEATURE, (uint32_t)(d->features >> (32 * sel)));
	}
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(d) & VIRTIO_STATUS_FEATURES_OK))
		return fail(d, "FEATURES_OK not kept for features %#lx", d->features, 0);
	return true;
}

/* Entry 0 is the config vector; queue i gets entry i + 1, or shares the
 * last entry when the device has fewer (QEMU's virtio-serial-pci has 2). */
static unsigned msix_entry(const struct virtio_dev *d, unsigned queue)
{
	return queue + 1 < d->msix.entries ? queue + 1 : d->msix.entries - 1u;
}

static bool setup_queue(struct virtio_dev *d, unsigned i, uint8_t vector, void *page)
{
	struct virtq *q = &d->vq[i];
	struct ring_page *r = page;
	uint16_t size;

	mmio_write16(d->common + CC_QUEUE_SELECT, (uint16_t)i);
	size = mmio_read16(d->common + CC_QUEUE_SIZE);
	if (!size)
		return fail(d, "queue %lu does not exist (size 0)", i, 0);
	if (size > VIRTQ_MAX_SIZE)
		size = VIRTQ_MAX_SIZE;
	if (size & (size - 1))
		return fail(d, "queue %lu: size %lu is not a power of 2", i, size);
	memset(r, 0, sizeof(*r));
	*q = (struct virtq){ .index = (uint16_t)i, .size = size, .desc = r->desc,
			     .avail = &r->avail, .used = &r->used, .indirect = r->indirect,
			     .vector = vector };
	mmio_write16(d->common + CC_QUEUE_SIZE, size);
	mmio_write16(d->common + CC_QUEUE_MSIX_VECTOR, (uint16_t)msix_entry(d, i));
	if (mmio_read16(d->common + CC_QUEUE_MSIX_VECTOR) == NO_VECTOR)
		return fail(d, "queue %lu: MSI-X entry %lu refused", i, msix_entry(d, i));
	/* The rings are in the image, below 4 GiB: the high halves are 0. */
	mmio_write32(d->common + CC_QUEUE_DESC, (uint32_t)(uintptr_t)q->desc);
	mmio_write32(d->common + CC_QUEUE_DESC + 4, 0);
	mmio_write32(d->common + CC_QUEUE_DRIVER, (uint32_t)(uintptr_t)q->avail);
	mmio_write32(d->common + CC_QUEUE_DRIVER + 4, 0);
	mmio_write32(d->common + CC_QUEUE_DEVICE, (uint32_t)(uintptr_t)q->used);
	mmio_write32(d->common + CC_QUEUE_DEVICE + 4, 0);
	q->notify_addr = d->notify + (uint64_t)mmio_read16(d->common + CC_QUEUE_NOTIFY_OFF) *
				     d->notify_multiplier;
	mmio_write16(d->common + CC_QUEUE_ENABLE, 1);
	return true;
}

bool virtio_open(struct virtio_dev *d, const struct pci_func *f, uint64_t wanted, unsigned nqueues)
{
	int slot = slot_of(f);
	uint8_t base;

	*d = (struct virtio_dev){ .pci = f };
	if (slot < 0 || nqueues > VIRTIO_MAX_QUEUES) {
		format(d->error, sizeof(d->error), "more than %u devices or %u queues",
		       MAX_DEVICES, VIRTIO_MAX_QUEUES);
		return false;
	}
	if (!find_structures(d)) {
		format(d->error, sizeof(d->error), "virtio capabilities incomplete: common %#lx notify %#lx isr %#lx",
		       d->common, d->notify, d->isr);
		return false;
	}
	if (!pci_msix_enable(f, &d->msix)) {
		format(d->error, sizeof(d->error), "no usable MSI-X capability");
		return false;
	}
	base = (uint8_t)(VEC_VIRTIO + slot * VECTORS_PER_DEVICE);
	for (unsigned e = 0; e <= nqueues && e < d->msix.entries; e++) {
		irq_set_handler((uint8_t)(base + e), virtio_interrupt);
		pci_msix_route(&d->msix, e, (uint8_t)(base + e));
	}
	virtio_reset(d);
	if (virtio_status(d))
		return fail(d, "reset: status still %#lx", virtio_status(d), 0);
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);
	if (!negotiate(d, wanted))
		return false;
	if (mmio_read16(d->common + CC_NUM_QUEUES) < nqueues)
		return fail(d, "%lu queues, %lu needed", mmio_read16(d->common + CC_NUM_QUEUES), nqueues);
	for (unsigned i = 0; i < nqueues; i++)
		if (!setup_queue(d, i, (uint8_t)(base + msix_entry(d, i)), ring_pages[slot][i]))
			return false;
	d->config_vector = base;
	mmio_write16(d->common + CC_MSIX_CONFIG, 0);
	if (mmio_read16(d->common + CC_MSIX_CONFIG) == NO_VECTOR)
		return fail(d, "MSI-X entry 0 refused for configuration changes", 0, 0);
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
	return true;
}

static uint8_t generation(const struct virtio_dev *d)
{
	return mmio_read8(d->common + CC_CONFIG_GENERATION);
}

uint64_t virtio_cfg64(const struct virtio_dev *d, unsigned off)
{
	uint64_t v = 0;

	/* Two 32-bit reads, retried while the device changes the space (§4.1.4.3). */
	for (unsigned i = 0; i < 4; i++) {
		uint8_t gen = generation(d);

		v = mmio_read32(d->device + off) | (uint64_t)mmio_read32(d->device + off + 4) << 32;
		if (generation(d) == gen)
			break;
	}
	return v;
}

void vq_publish(struct virtq *q, uint16_t head, uint16_t step)
{
	q->avail->ring[q->avail_idx % q->size] = head;
	/* With EVENT_IDX: interrupt us when the device passes our next entry. */
	q->avail->ring[q->size] = q->last_used;
	q->irqs_at_publish = virtio_irqs(q->vector);
	barrier();
	q->avail_idx = (uint16_t)(q->avail_idx + step);
	q->avail->idx = q->avail_idx;
	barrier();
}

void vq_notify(struct virtq *q)
{
	mmio_write16(q->notify_addr, q->index);
}

static void fill_chain(struct virtq_desc *desc, const struct vbuf *bufs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		desc[i] = (struct virtq_desc){
			.addr = (uintptr_t)bufs[i].addr,
			.len = bufs[i].len,
			.flags = (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			.next = (uint16_t)(i + 1 < n ? i + 1 : 0),
		};
	}
}

void vq_submit(struct virtq *q, const struct vbuf *bufs, unsigned n, bool indirect)
{
	if (indirect) {
		fill_chain(q->indirect, bufs, n);
		q->desc[0] = (struct virtq_desc){ .addr = (uintptr_t)q->indirect,
						  .len = (uint32_t)(n * sizeof(struct virtq_desc)),
						  .flags = VIRTQ_DESC_F_INDIRECT };
	} else {
		fill_chain(q->desc, bufs, n);
	}
	vq_publish(q, 0, 1);
	vq_notify(q);
}

bool vq_poll(struct virtq *q, struct vq_completion *c)
{
	volatile struct virtq_used *used = q->used;
	const volatile struct virtq_used_elem *e;

	if (used->idx == q->last_used)
		return false;
	barrier();
	e = &used->ring[q->last_used % q->size];
	c->done = true;
	c->id = e->id;
	c->len = e->len;
	q->last_used++;
	return true;
}

static bool completed_with_irq(void *arg)
{
	struct virtq *q = arg;

	return ((volatile struct virtq_used *)q->used)->idx != q->last_used &&
	       virtio_irqs(q->vector) != q->irqs_at_publish;
}

struct vq_completion vq_wait(struct virtq *q, unsigned ms)
{
	struct vq_completion c = { 0 };

	c.by_irq = wait_for(completed_with_irq, q, ms);
	vq_poll(q, &c);
	return c;
}
