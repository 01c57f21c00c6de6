/* Fuzz target: the vhost-user message decoder (devices/lib/vhost_user.c).
 * The input is a stream of messages as a frontend sends them, each with
 * the fds its header asks for (tests/fuzz/fuzz_frontend.h): memfds for
 * SET_MEM_TABLE, eventfds for the rings, or the wrong kind or count. A
 * two-queue device with a config space handles them in order; once a
 * queue has memory, addresses and a kick fd it starts, and a kick takes
 * every chain the (zeroed) guest memory offers. */
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_frontend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_get_config(struct vu_dev *dev, uint8_t *config)
{
	(void)dev;
	memset(config, 0xa5, 24);
}

static void fuzz_kick(struct vu_dev *dev, struct virtqueue *vq)
{
	struct vq_chain *chain = dev->priv;

	while (vq_pop(vq, chain) == 1)
		vq_push(vq, chain->head, 0);
	vq_notify(vq);
}

static const struct vu_device_ops fuzz_ops = {
	.name = "fuzz",
	.num_queues = 2,
	.features = 1ull << 1,
	.config_size = 24,
	.get_config = fuzz_get_config,
	.queue_kick = fuzz_kick,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vu_dev dev;
	static struct vu_msg msg;
	static struct vq_chain chain;
	struct fuzz_input in = { data, size };
	int fds[VU_MAX_FDS];
	size_t nfds;

	fuzz_frontend_begin();
	vu_dev_init(&dev, &fuzz_ops, &chain);
	while (fuzz_next_message(&in, &msg, fds, &nfds))
		fuzz_handle(&dev, &msg, fds, nfds);
	vu_dev_reset(&dev);
	return 0;
}
