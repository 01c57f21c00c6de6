/* virtio-rng (virtio 1.2 §5.4): one request queue; each chain's writable
 * buffers are filled with bytes from the host's getrandom(). */
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "devices/lib/device_main.h"

static void rng_kick(struct vu_dev *dev, struct virtqueue *vq)
{
	struct vq_chain chain;

	while (vq_pop(vq, &chain) == 1) {
		uint32_t written = 0;

		for (unsigned i = chain.n_out; i < chain.n_out + chain.n_in; i++) {
			ssize_t n = getrandom(chain.iov[i].iov_base, chain.iov[i].iov_len, 0);

			if (n < 0) {
				fprintf(stderr, "%s: getrandom: %m\n", dev->ops->name);
				break;
			}
			written += n;
			if ((size_t)n < chain.iov[i].iov_len)
				break;
		}
		vq_push(vq, chain.head, written);
	}
	vq_notify(vq);
}

static const struct vu_device_ops rng_ops = {
	.name = "virtio-rng",
	.num_queues = 1,
	.queue_kick = rng_kick,
};

static int rng_setup(struct vu_dev *dev, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	vu_dev_init(dev, &rng_ops, NULL);
	return 0;
}

static const char *const rng_syscalls[] = {
	"getrandom",
	NULL,
};

static const struct device_program rng_program = {
	.name = "virtio-rng",
	.type = "rng",
	.setup = rng_setup,
	.syscalls = rng_syscalls,
};

int main(int argc, char **argv)
{
	return device_main(&rng_program, argc, argv);
}
