/* The backend side of vhost-user (QEMU docs/interop/vhost-user.rst): one
 * frontend, messages decoded with every size and fd count checked, the
 * memory table mapped from its memfds, vrings handed to the device. */
#ifndef DEVICES_LIB_VHOST_USER_H
#define DEVICES_LIB_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/lib/guest_memory.h"
#include "devices/lib/virtqueue.h"
#include "ipc/vhost_user_proto.h"

#define VU_MAX_QUEUES 2
#define VU_MAX_FDS 8
#define VU_MAX_CONFIG 256
#define VU_MAX_PAYLOAD 4096	/* larger than any message we accept */

#define VIRTIO_F_VERSION_1 32
struct vu_msg {
	struct vu_header hdr;
	/* Aligned for the structures it holds; on the wire it follows the
	 * 12-byte header directly. */
	uint8_t payload[VU_MAX_PAYLOAD] __attribute__((aligned(8)));
};

struct vu_dev;

/* What a device adds to the shared core. */
struct vu_device_ops {
	const char *name;		/* "virtio-blk", for messages */
	unsigned num_queues;
	uint64_t features;		/* device feature bits; the core adds VERSION_1,
					 * INDIRECT_DESC, EVENT_IDX and PROTOCOL_FEATURES */
	uint32_t config_size;		/* bytes of config space GET_CONFIG serves */
	void (*get_config)(struct vu_dev *dev, uint8_t *config);
	/* The driver kicked, or the queue just became ready: take its chains. */
	void (*queue_kick)(struct vu_dev *dev, struct virtqueue *vq);
	/* Optional: the running queue is about to stop (its rings are still
	 * mapped): return or drop any chain the device still holds. */
	void (*queue_stop)(struct vu_dev *dev, struct virtqueue *vq);
};

struct vu_dev {
	const struct vu_device_ops *ops;
	void *priv;			/* the device's own state */
	struct guest_memory mem;
	struct virtqueue vqs[VU_MAX_QUEUES];
	uint64_t features;		/* acked by the frontend */
	uint64_t protocol_features;
	/* Set by the event loop: a queue's kick fd changed (or went away). */
	void (*kick_fd_changed)(struct vu_dev *dev, struct virtqueue *vq);
	void *loop;
};

void vu_dev_init(struct vu_dev *dev, const struct vu_device_ops *ops, void *priv);
void vu_dev_reset(struct vu_dev *dev);	/* RESET_OWNER, disconnect */

uint64_t vu_dev_offered_features(const struct vu_dev *dev);
bool vu_dev_has_feature(const struct vu_dev *dev, unsigned bit);

/* Handles one decoded message. FDS (NFDS of them) came with it: the ones it
 * keeps are set to -1, the caller closes the rest. When a reply is due,
 * *reply is filled and true is returned in *send_reply. Returns 0, or -1
 * with a message in err (the request failed; the caller logs it, and drops
 * the connection when the frontend waits for a reply it cannot get). */
int vu_handle(struct vu_dev *dev, const struct vu_msg *msg, int *fds, size_t nfds,
	      struct vu_msg *reply, bool *send_reply, char *err, size_t errlen);

/* GET_* requests: the frontend waits for their reply whatever happens. */
bool vu_request_expects_reply(const struct vu_msg *msg);

#endif
