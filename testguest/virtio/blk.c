#include "virtio/blk.h"

#include "libc.h"

#define REQUEST_TIMEOUT_MS 1000

static struct virtio_dev blk_dev;
static struct blk_request request;

struct virtio_dev *blk_open(const char **error)
{
	const struct pci_func *f = virtio_find(VIRTIO_ID_BLOCK);

	if (!f) {
		*error = "no virtio-blk function on bus 0";
		return NULL;
	}
	if (!virtio_open(&blk_dev, f,
			 1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_FLUSH |
			 1ull << VIRTIO_F_INDIRECT_DESC | 1ull << VIRTIO_F_EVENT_IDX, 1)) {
		*error = blk_dev.error;
		return NULL;
	}
	if (!blk_dev.device) {
		virtio_reset(&blk_dev);
		*error = "no device-specific configuration capability (capacity unknown)";
		return NULL;
	}
	return &blk_dev;
}

unsigned blk_chain(struct blk_request *r, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	unsigned n = 0;

	r->header = (struct blk_header){ .type = type, .sector = sector };
	r->status = BLK_STATUS_NONE;
	r->bufs[n++] = (struct vbuf){ &r->header, sizeof(r->header), false };
	if (len)
		r->bufs[n++] = (struct vbuf){ data, len, type != VIRTIO_BLK_T_OUT };
	r->bufs[n++] = (struct vbuf){ &r->status, 1, true };
	return n;
}

uint8_t blk_do(struct virtio_dev *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
	       bool indirect, bool *irq_ok)
{
	unsigned n = blk_chain(&request, type, sector, data, len);
	struct vq_completion c;

	vq_submit(&d->vq[0], request.bufs, n, indirect && virtio_has(d, VIRTIO_F_INDIRECT_DESC));
	c = vq_wait(&d->vq[0], REQUEST_TIMEOUT_MS);
	if (!c.by_irq)
		*irq_ok = false;
	return c.done ? *(volatile uint8_t *)&request.status : BLK_STATUS_NONE;
}
