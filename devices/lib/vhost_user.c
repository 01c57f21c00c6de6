/* vhost-user backend: message decode and the state it sets up. */
#include "devices/lib/vhost_user.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* CONFIG only for devices with a config space: QEMU warns about it
 * otherwise. */
static uint64_t offered_protocol_features(const struct vu_dev *dev)
{
	return 1ull << VU_PROTOCOL_F_MQ | 1ull << VU_PROTOCOL_F_REPLY_ACK |
	       (dev->ops->config_size ? 1ull << VU_PROTOCOL_F_CONFIG : 0);
}

void vu_dev_init(struct vu_dev *dev, const struct vu_device_ops *ops, void *priv)
{
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->priv = priv;
	for (unsigned i = 0; i < VU_MAX_QUEUES; i++)
		vq_init(&dev->vqs[i], i, ops->name, &dev->mem);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The device lets go of chains it holds while their rings are still mapped,
 * then the queue forgets its rings. */
static void stop_queue(struct vu_dev *dev, struct virtqueue *vq)
{
	if (vq->started && dev->ops->queue_stop)
		dev->ops->queue_stop(dev, vq);
	vq_stop(vq);
}

void vu_dev_reset(struct vu_dev *dev)
{
	for (unsigned i = 0; i < VU_MAX_QUEUES; i++) {
		struct virtqueue *vq = &dev->vqs[i];

		stop_queue(dev, vq);
		close_fd(&vq->kick_fd);
		if (dev->kick_fd_changed)
			dev->kick_fd_changed(dev, vq);
		close_fd(&vq->call_fd);
		close_fd(&vq->err_fd);
		vq_init(vq, i, dev->ops->name, &dev->mem);
	}
	guest_memory_clear(&dev->mem);
	dev->features = 0;
	dev->protocol_features = 0;
}

uint64_t vu_dev_offered_features(const struct vu_dev *dev)
{
	return dev->ops->features | 1ull << VIRTIO_F_VERSION_1 |
	       1ull << VIRTIO_RING_F_INDIRECT_DESC | 1ull << VIRTIO_RING_F_EVENT_IDX |
	       1ull << VHOST_USER_F_PROTOCOL_FEATURES;
}

bool vu_dev_has_feature(const struct vu_dev *dev, unsigned bit)
{
	return dev->features & (1ull << bit);
}

static bool request_has_reply(uint32_t request)
{
	switch (request) {
	case VU_GET_FEATURES:
	case VU_GET_PROTOCOL_FEATURES:
	case VU_GET_VRING_BASE:
	case VU_GET_QUEUE_NUM:
	case VU_GET_CONFIG:
		return true;
	default:
		return false;
	}
}

/* The payload size and fd count each request must come with. */
static int check_shape(const struct vu_msg *msg, size_t nfds, size_t size, size_t want_fds,
		       char *err, size_t errlen)
{
	if (msg->hdr.size != size) {
		snprintf(err, errlen, "%s: payload of %u bytes, expected %zu",
			 vu_request_name(msg->hdr.request), msg->hdr.size, size);
		return -1;
	}
	if (nfds != want_fds) {
		snprintf(err, errlen, "%s: %zu fds attached, expected %zu",
			 vu_request_name(msg->hdr.request), nfds, want_fds);
		return -1;
	}
	return 0;
}

static struct virtqueue *queue_at(struct vu_dev *dev, const struct vu_msg *msg, uint32_t index,
				  char *err, size_t errlen)
{
	if (index >= dev->ops->num_queues) {
		snprintf(err, errlen, "%s: queue %u, the device has %u",
			 vu_request_name(msg->hdr.request), index, dev->ops->num_queues);
		return NULL;
	}
	return &dev->vqs[index];
}

/* The size, addresses and base of a running ring are what its checked
 * translation rests on: a frontend changes them only on a stopped ring
 * (GET_VRING_BASE stops it; vhost-user.rst, "Starting and stopping rings"). */
static struct virtqueue *stopped_queue_at(struct vu_dev *dev, const struct vu_msg *msg,
					  uint32_t index, char *err, size_t errlen)
{
	struct virtqueue *vq = queue_at(dev, msg, index, err, errlen);

	if (vq && vq->started) {
		snprintf(err, errlen, "%s: queue %u is running; stop it first (GET_VRING_BASE)",
			 vu_request_name(msg->hdr.request), index);
		return NULL;
	}
	return vq;
}

/* A queue with memory, addresses and a kick fd starts; the driver may
 * already have buffers waiting in it. */
static void try_start(struct vu_dev *dev, struct virtqueue *vq)
{
	if (vq->kick_fd < 0 || vq->desc_uaddr == 0 || dev->mem.nregions == 0)
		return;
	if (vq_start(vq) == 0 && vq_ready(vq))
		dev->ops->queue_kick(dev, vq);
}

static int set_mem_table(struct vu_dev *dev, const struct vu_msg *msg, int *fds, size_t nfds,
			 char *err, size_t errlen)
{
	const struct vu_memory *m = (const void *)msg->payload;

	if (msg->hdr.size < sizeof(*m)) {
		snprintf(err, errlen, "SET_MEM_TABLE: payload of %u bytes", msg->hdr.size);
		return -1;
	}
	if (m->nregions == 0 || m->nregions > GUEST_MEMORY_MAX_REGIONS) {
		snprintf(err, errlen, "SET_MEM_TABLE: %u regions, expected 1..%d", m->nregions,
			 GUEST_MEMORY_MAX_REGIONS);
		return -1;
	}
	if (check_shape(msg, nfds, sizeof(*m) + m->nregions * sizeof(struct vu_region), m->nregions,
			err, errlen) < 0)
		return -1;
	/* Running queues point into the old mappings: stop them first, start
	 * them again on the new table (they stay stopped if it is bad). */
	bool was_started[VU_MAX_QUEUES];

	for (unsigned i = 0; i < VU_MAX_QUEUES; i++) {
		was_started[i] = dev->vqs[i].started;
		stop_queue(dev, &dev->vqs[i]);
	}
	guest_memory_clear(&dev->mem);
	for (uint32_t i = 0; i < m->nregions; i++) {
		const struct vu_region *r = &m->regions[i];

		if (guest_memory_map(&dev->mem, fds[i], r->mmap_offset, r->gpa, r->size, r->uaddr, err,
				     errlen) < 0) {
			guest_memory_clear(&dev->mem);
			return -1;
		}
	}
	/* The mappings hold the memory; the caller closes the fds. */
	for (unsigned i = 0; i < VU_MAX_QUEUES; i++)
		if (was_started[i])
			try_start(dev, &dev->vqs[i]);
	return 0;
}

/* SET_VRING_KICK / CALL / ERR: a u64 with the queue index and a no-fd bit. */
static int set_vring_fd(struct vu_dev *dev, const struct vu_msg *msg, int *fds, size_t nfds,
			char *err, size_t errlen)
{
	uint64_t v;

	if (msg->hdr.size != sizeof(v)) {
		snprintf(err, errlen, "%s: payload of %u bytes, expected 8",
			 vu_request_name(msg->hdr.request), msg->hdr.size);
		return -1;
	}
	memcpy(&v, msg->payload, sizeof(v));
	bool nofd = v & VU_VRING_NOFD;

	if (v & ~(uint64_t)(VU_VRING_INDEX_MASK | VU_VRING_NOFD)) {
		snprintf(err, errlen, "%s: unknown bits in 0x%llx", vu_request_name(msg->hdr.request),
			 (unsigned long long)v);
		return -1;
	}
	if (check_shape(msg, nfds, sizeof(v), nofd ? 0 : 1, err, errlen) < 0)
		return -1;
	struct virtqueue *vq = queue_at(dev, msg, v & VU_VRING_INDEX_MASK, err, errlen);

	if (!vq)
		return -1;
	int fd = nofd ? -1 : fds[0];

	if (!nofd)
		fds[0] = -1;
	switch (msg->hdr.request) {
	case VU_SET_VRING_KICK:
		/* A new kick fd (re)starts the ring: from scratch, checked anew. */
		stop_queue(dev, vq);
		close_fd(&vq->kick_fd);
		vq->kick_fd = fd;
		if (dev->kick_fd_changed)
			dev->kick_fd_changed(dev, vq);
		/* Without PROTOCOL_FEATURES a ring is enabled as it starts. */
		if (!vu_dev_has_feature(dev, VHOST_USER_F_PROTOCOL_FEATURES))
			vq->enabled = true;
		try_start(dev, vq);
		break;
	case VU_SET_VRING_CALL:
		close_fd(&vq->call_fd);
		vq->call_fd = fd;
		break;
	default:
		close_fd(&vq->err_fd);
		vq->err_fd = fd;
		break;
	}
	return 0;
}

static int handle_vring_state(struct vu_dev *dev, const struct vu_msg *msg, size_t nfds,
			      struct vu_msg *reply, bool *send_reply, char *err, size_t errlen)
{
	struct vu_vring_state s;

	if (check_shape(msg, nfds, sizeof(s), 0, err, errlen) < 0)
		return -1;
	memcpy(&s, msg->payload, sizeof(s));
	bool changes_ring = msg->hdr.request == VU_SET_VRING_NUM ||
			    msg->hdr.request == VU_SET_VRING_BASE;
	struct virtqueue *vq = changes_ring ? stopped_queue_at(dev, msg, s.index, err, errlen)
					    : queue_at(dev, msg, s.index, err, errlen);

	if (!vq)
		return -1;
	switch (msg->hdr.request) {
	case VU_SET_VRING_NUM:
		if (s.num == 0 || s.num > VQ_MAX_SIZE || (s.num & (s.num - 1))) {
			snprintf(err, errlen, "SET_VRING_NUM: queue %u size %u is not a power of 2 up to %d",
				 s.index, s.num, VQ_MAX_SIZE);
			return -1;
		}
		vq->num = s.num;
		return 0;
	case VU_SET_VRING_BASE:
		if (s.num > UINT16_MAX) {
			snprintf(err, errlen, "SET_VRING_BASE: queue %u base %u past 65535", s.index, s.num);
			return -1;
		}
		vq->last_avail = s.num;
		return 0;
	case VU_SET_VRING_ENABLE:
		if (s.num > 1) {
			snprintf(err, errlen, "SET_VRING_ENABLE: queue %u state %u", s.index, s.num);
			return -1;
		}
		vq->enabled = s.num;
		if (vq_ready(vq))
			dev->ops->queue_kick(dev, vq);
		return 0;
	default:	/* GET_VRING_BASE: the ring stops */
		stop_queue(dev, vq);
		s.num = vq->last_avail;
		memcpy(reply->payload, &s, sizeof(s));
		reply->hdr.size = sizeof(s);
		*send_reply = true;
		return 0;
	}
}

static int handle_vring_addr(struct vu_dev *dev, const struct vu_msg *msg, size_t nfds, char *err,
			     size_t errlen)
{
	struct vu_vring_addr a;

	if (check_shape(msg, nfds, sizeof(a), 0, err, errlen) < 0)
		return -1;
	memcpy(&a, msg->payload, sizeof(a));
	struct virtqueue *vq = stopped_queue_at(dev, msg, a.index, err, errlen);

	if (!vq)
		return -1;
	if (a.flags) {
		snprintf(err, errlen, "SET_VRING_ADDR: queue %u: logging (flags 0x%x) not supported",
			 a.index, a.flags);
		return -1;
	}
	vq->desc_uaddr = a.desc;
	vq->avail_uaddr = a.avail;
	vq->used_uaddr = a.used;
	return 0;
}

static int handle_config(struct vu_dev *dev, const struct vu_msg *msg, size_t nfds,
			 struct vu_msg *reply, bool *send_reply, char *err, size_t errlen)
{
	const struct vu_config *c = (const void *)msg->payload;

	if (msg->hdr.size < sizeof(*c) || c->size > VU_MAX_CONFIG) {
		snprintf(err, errlen, "%s: payload of %u bytes", vu_request_name(msg->hdr.request),
			 msg->hdr.size);
		return -1;
	}
	if (check_shape(msg, nfds, sizeof(*c) + c->size, 0, err, errlen) < 0)
		return -1;
	if (msg->hdr.request == VU_SET_CONFIG) {
		snprintf(err, errlen, "SET_CONFIG: %s config space is read-only", dev->ops->name);
		return -1;
	}
	uint8_t config[VU_MAX_CONFIG] = {0};
	struct vu_config *out = (void *)reply->payload;

	if (dev->ops->get_config)
		dev->ops->get_config(dev, config);
	*out = *c;
	memset(out->data, 0, c->size);
	/* Bytes past the device's config space read as zero, as QEMU asks
	 * for a fixed size that may exceed what the device features use. */
	if (c->offset < dev->ops->config_size) {
		uint32_t n = dev->ops->config_size - c->offset;

		memcpy(out->data, config + c->offset, n < c->size ? n : c->size);
	}
	reply->hdr.size = sizeof(*c) + c->size;
	*send_reply = true;
	return 0;
}

static int handle_u64(struct vu_dev *dev, const struct vu_msg *msg, size_t nfds,
		      struct vu_msg *reply, bool *send_reply, char *err, size_t errlen)
{
	bool is_get = msg->hdr.request == VU_GET_FEATURES ||
		      msg->hdr.request == VU_GET_PROTOCOL_FEATURES ||
		      msg->hdr.request == VU_GET_QUEUE_NUM;
	uint64_t v = 0;

	/* QEMU sends GETs with an empty payload; accept that or a u64. */
	if (is_get && msg->hdr.size == 0) {
		if (check_shape(msg, nfds, 0, 0, err, errlen) < 0)
			return -1;
	} else if (check_shape(msg, nfds, sizeof(v), 0, err, errlen) < 0) {
		return -1;
	} else {
		memcpy(&v, msg->payload, sizeof(v));
	}

	switch (msg->hdr.request) {
	case VU_GET_FEATURES:
		v = vu_dev_offered_features(dev);
		break;
	case VU_GET_PROTOCOL_FEATURES:
		v = offered_protocol_features(dev);
		break;
	case VU_GET_QUEUE_NUM:
		v = dev->ops->num_queues;
		break;
	case VU_SET_FEATURES:
		if (v & ~vu_dev_offered_features(dev)) {
			snprintf(err, errlen, "SET_FEATURES: 0x%llx not offered (offered 0x%llx)",
				 (unsigned long long)v,
				 (unsigned long long)vu_dev_offered_features(dev));
			return -1;
		}
		dev->features = v;
		for (unsigned i = 0; i < VU_MAX_QUEUES; i++)
			dev->vqs[i].event_idx = vu_dev_has_feature(dev, VIRTIO_RING_F_EVENT_IDX);
		return 0;
	default:	/* SET_PROTOCOL_FEATURES */
		if (v & ~offered_protocol_features(dev)) {
			snprintf(err, errlen, "SET_PROTOCOL_FEATURES: 0x%llx not offered",
				 (unsigned long long)v);
			return -1;
		}
		dev->protocol_features = v;
		return 0;
	}
	memcpy(reply->payload, &v, sizeof(v));
	reply->hdr.size = sizeof(v);
	*send_reply = true;
	return 0;
}

static int dispatch(struct vu_dev *dev, const struct vu_msg *msg, int *fds, size_t nfds,
		    struct vu_msg *reply, bool *send_reply, char *err, size_t errlen)
{
	switch (msg->hdr.request) {
	case VU_GET_FEATURES:
	case VU_SET_FEATURES:
	case VU_GET_PROTOCOL_FEATURES:
	case VU_SET_PROTOCOL_FEATURES:
	case VU_GET_QUEUE_NUM:
		return handle_u64(dev, msg, nfds, reply, send_reply, err, errlen);
	case VU_SET_OWNER:
		return check_shape(msg, nfds, 0, 0, err, errlen);
	case VU_RESET_OWNER:
		if (check_shape(msg, nfds, 0, 0, err, errlen) < 0)
			return -1;
		vu_dev_reset(dev);
		return 0;
	case VU_SET_MEM_TABLE:
		return set_mem_table(dev, msg, fds, nfds, err, errlen);
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_BASE:
	case VU_GET_VRING_BASE:
	case VU_SET_VRING_ENABLE:
		return handle_vring_state(dev, msg, nfds, reply, send_reply, err, errlen);
	case VU_SET_VRING_ADDR:
		return handle_vring_addr(dev, msg, nfds, err, errlen);
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return set_vring_fd(dev, msg, fds, nfds, err, errlen);
	case VU_GET_CONFIG:
	case VU_SET_CONFIG:
		return handle_config(dev, msg, nfds, reply, send_reply, err, errlen);
	default:
		snprintf(err, errlen, "request %u (%s) not supported by %s", msg->hdr.request,
			 vu_request_name(msg->hdr.request), dev->ops->name);
		return -1;
	}
}

int vu_handle(struct vu_dev *dev, const struct vu_msg *msg, int *fds, size_t nfds,
	      struct vu_msg *reply, bool *send_reply, char *err, size_t errlen)
{
	*send_reply = false;
	memset(&reply->hdr, 0, sizeof(reply->hdr));
	reply->hdr.request = msg->hdr.request;
	reply->hdr.flags = VU_VERSION | VU_FLAG_REPLY;

	int rc;

	if ((msg->hdr.flags & 0x3) != VU_VERSION) {
		snprintf(err, errlen, "%s: protocol version %u, expected 1",
			 vu_request_name(msg->hdr.request), msg->hdr.flags & 0x3);
		rc = -1;
	} else if (msg->hdr.size > VU_MAX_PAYLOAD) {
		snprintf(err, errlen, "%s: payload of %u bytes", vu_request_name(msg->hdr.request),
			 msg->hdr.size);
		rc = -1;
	} else {
		rc = dispatch(dev, msg, fds, nfds, reply, send_reply, err, errlen);
	}
	/* REPLY_ACK: a status for requests that have no reply of their own. */
	if (!request_has_reply(msg->hdr.request) && (msg->hdr.flags & VU_FLAG_NEED_REPLY) &&
	    (dev->protocol_features & (1ull << VU_PROTOCOL_F_REPLY_ACK))) {
		uint64_t status = rc < 0;

		memcpy(reply->payload, &status, sizeof(status));
		reply->hdr.size = sizeof(status);
		*send_reply = true;
	}
	return rc;
}

bool vu_request_expects_reply(const struct vu_msg *msg)
{
	return request_has_reply(msg->hdr.request);
}
