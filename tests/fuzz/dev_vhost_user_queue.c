/* Fuzz target: running queues under a hostile frontend and a hostile guest
 * at once (devices/lib/vhost_user.c, virtqueue.c, guest_memory.c). A
 * two-queue echo device is set up as a vmm would (64 KiB of sealed guest
 * memory, both queues of 8 entries started); the first input byte picks
 * EVENT_IDX, then each step is one of
 *   0: a vhost-user message with fds (tests/fuzz/fuzz_frontend.h): ring
 *      sizes, addresses, memory tables changed under the running queues
 *   1: the guest writes: u16 offset, u8 length, the bytes
 *   2: a kick: u8 queue
 * The echo device reads and writes every chain it takes in full, so ASan
 * sees any buffer or ring outside what is mapped. */
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_frontend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QSIZE 8
#define RING(q) (0x1000 * (1 + (q)))	/* desc; avail +0x100, used +0x200 */

static void echo_kick(struct vu_dev *dev, struct virtqueue *vq)
{
	static uint8_t buf[FUZZ_MEM_SIZE];
	struct vq_chain *chain = dev->priv;

	while (vq_pop(vq, chain) == 1) {
		size_t n = vq_chain_read(chain, 0, buf, sizeof(buf));

		n = vq_chain_write(chain, 0, buf, n < chain->in_len ? chain->in_len : n);
		vq_push(vq, chain->head, (uint32_t)n);
	}
	vq_notify(vq);
}

static const struct vu_device_ops echo_ops = {
	.name = "fuzz-echo",
	.num_queues = 2,
	.queue_kick = echo_kick,
};

static void set_u64(struct vu_dev *dev, uint32_t request, uint64_t v, int fd)
{
	fuzz_send(dev, request, &v, sizeof(v), &fd, fd >= 0);
}

static void set_state(struct vu_dev *dev, uint32_t request, uint32_t index, uint32_t num)
{
	struct vu_vring_state s = { index, num };

	fuzz_send(dev, request, &s, sizeof(s), NULL, 0);
}

/* As the vmm does: features, one region over the guest memfd, both queues. */
static void set_up(struct vu_dev *dev, bool event_idx)
{
	/* struct vu_memory with one region */
	struct {
		uint32_t nregions, padding;
		struct vu_region r;
	} table = { 1, 0, { 0, FUZZ_MEM_SIZE, 0x7f0000000000ull, 0 } };
	int memfd = fuzz_guest_memfd();
	uint64_t features = vu_dev_offered_features(dev);

	if (!event_idx)
		features &= ~(1ull << VIRTIO_RING_F_EVENT_IDX);
	set_u64(dev, VU_SET_FEATURES, features, -1);
	fuzz_send(dev, VU_SET_MEM_TABLE, &table, sizeof(table), &memfd, 1);
	for (uint32_t q = 0; q < 2; q++) {
		struct vu_vring_addr a = {
			.index = q,
			.desc = table.r.uaddr + RING(q),
			.avail = table.r.uaddr + RING(q) + 0x100,
			.used = table.r.uaddr + RING(q) + 0x200,
		};

		set_state(dev, VU_SET_VRING_NUM, q, QSIZE);
		set_state(dev, VU_SET_VRING_BASE, q, 0);
		fuzz_send(dev, VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
		set_u64(dev, VU_SET_VRING_CALL, q, fuzz_eventfd());
		set_u64(dev, VU_SET_VRING_ERR, q, fuzz_eventfd());
		set_u64(dev, VU_SET_VRING_KICK, q, fuzz_eventfd());
		set_state(dev, VU_SET_VRING_ENABLE, q, 1);
	}
}

/* The guest stores LENGTH bytes at OFFSET, clipped to its memory. */
static void guest_write(struct fuzz_input *in)
{
	if (in->size < 3)
		return;
	size_t offset = (size_t)in->data[0] | (size_t)in->data[1] << 8, len = in->data[2];

	in->data += 3;
	in->size -= 3;
	if (len > in->size)
		len = in->size;
	if (len > FUZZ_MEM_SIZE - offset)
		len = FUZZ_MEM_SIZE - offset;
	memcpy(fuzz_guest_mem + offset, in->data, len);
	in->data += len;
	in->size -= len;
}

/* As the device's loop does on a kick eventfd. */
static void kick(struct vu_dev *dev, struct fuzz_input *in)
{
	if (in->size < 1)
		return;
	struct virtqueue *vq = &dev->vqs[in->data[0] % VU_MAX_QUEUES];

	in->data++;
	in->size--;
	if (vq_ready(vq))
		dev->ops->queue_kick(dev, vq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vu_dev dev;
	static struct vu_msg msg;
	static struct vq_chain chain;
	struct fuzz_input in = { data, size };
	int fds[VU_MAX_FDS];
	size_t nfds;

	if (size < 1)
		return 0;
	fuzz_frontend_begin();
	vu_dev_init(&dev, &echo_ops, &chain);
	set_up(&dev, data[0] & 1);
	in.data++;
	in.size--;
	while (in.size > 0) {
		uint8_t step = in.data[0] % 3;

		in.data++;
		in.size--;
		if (step == 0) {
			if (!fuzz_next_message(&in, &msg, fds, &nfds))
				break;
			fuzz_handle(&dev, &msg, fds, nfds);
		} else if (step == 1) {
			guest_write(&in);
		} else {
			kick(&dev, &in);
		}
	}
	vu_dev_reset(&dev);
	return 0;
}
