/* Fuzz target: the vhost-user message decoder (devices/lib/vhost_user.c).
 * The input is a stream of messages as a frontend sends them (12-byte
 * header, payload), handled in order by a two-queue device with a config
 * space. No fds come with them, so SET_MEM_TABLE and the vring fds take
 * their error paths; everything else runs for real. */
#include <stdint.h>
#include <string.h>

#include "devices/lib/vhost_user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void discard_line(const char *line)
{
	(void)line;
}

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
	static struct vu_msg msg, reply;
	static struct vq_chain chain;
	char err[256];
	bool send_reply;

	vq_set_log(discard_line);
	vu_dev_init(&dev, &fuzz_ops, &chain);
	while (size >= sizeof(msg.hdr)) {
		memcpy(&msg.hdr, data, sizeof(msg.hdr));
		data += sizeof(msg.hdr);
		size -= sizeof(msg.hdr);
		/* vu_recv refuses larger payloads before reading them. */
		if (msg.hdr.size > VU_MAX_PAYLOAD)
			break;
		size_t n = msg.hdr.size < size ? msg.hdr.size : size;

		memcpy(msg.payload, data, n);
		msg.hdr.size = n;
		data += n;
		size -= n;
		vu_handle(&dev, &msg, NULL, 0, &reply, &send_reply, err, sizeof(err));
		if (send_reply && reply.hdr.size > VU_MAX_PAYLOAD)
			__builtin_trap();
	}
	vu_dev_reset(&dev);
	return 0;
}
