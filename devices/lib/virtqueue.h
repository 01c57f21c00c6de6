/* Split virtqueues (virtio 1.2 §2.7) as a device walks them. The ring
 * addresses come from the frontend; everything the guest writes (avail
 * index, ring entries, descriptors, indirect tables) is untrusted: a
 * descriptor loop, an over-long chain, a buffer outside guest memory or an
 * avail index that jumps ahead marks the queue broken. A broken queue logs
 * one line, signals its error eventfd (the frontend then sets
 * DEVICE_NEEDS_RESET) and is not touched again until it is set up anew. */
#ifndef DEVICES_LIB_VIRTQUEUE_H
#define DEVICES_LIB_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/lib/guest_memory.h"
#include "devices/lib/iov.h"

#define VQ_MAX_SIZE 32768	/* virtio 1.2: queue size at most 2^15 */
#define VQ_MAX_CHAIN IOV_MAX_SEGS	/* iovecs per chain: one preadv takes them all */

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* num entries, then used_event */
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];	/* num entries, then avail_event */
};

struct virtqueue {
	unsigned index;
	const char *device;	/* for messages: "virtio-blk" */
	const struct guest_memory *mem;
	uint16_t num;
	uint64_t desc_uaddr, avail_uaddr, used_uaddr;	/* SET_VRING_ADDR */
	struct vring_desc *desc;	/* host pointers, set by vq_start */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	/* next avail entry to take */
	uint16_t used_idx;	/* our copy of used->idx */
	uint16_t signalled_used;	/* used_idx at the last interrupt (or start) */
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool started;		/* rings translated, kick fd given */
	bool enabled;		/* SET_VRING_ENABLE */
	bool broken;
	int kick_fd, call_fd, err_fd;
};

/* One descriptor chain: the readable (driver->device) buffers first, then
 * the writable ones, each as host iovecs (a buffer crossing regions takes
 * several). */
struct vq_chain {
	uint16_t head;
	unsigned n_out, n_in;	/* iov[0..n_out) readable, iov[n_out..n_out+n_in) writable */
	uint64_t out_len, in_len;
	struct iovec iov[VQ_MAX_CHAIN];
};

void vq_init(struct virtqueue *vq, unsigned index, const char *device,
	     const struct guest_memory *mem);

/* Translates the ring addresses through the memory table and checks them
 * (whole rings inside one region, aligned in guest and host address).
 * Returns 0, or -1 after marking the queue broken. The translation holds
 * until vq_stop: whoever changes num, the addresses or the memory table
 * stops the queue first and starts it again afterwards. */
int vq_start(struct virtqueue *vq);

/* Forgets the rings (GET_VRING_BASE, RESET_OWNER); fds are kept. */
void vq_stop(struct virtqueue *vq);

bool vq_ready(const struct virtqueue *vq);	/* started, enabled, not broken */

/* Takes the next available chain. Returns 1 with *chain filled, 0 when the
 * ring is empty, -1 when the queue is (now) broken. */
int vq_pop(struct virtqueue *vq, struct vq_chain *chain);

/* Puts back the chain vq_pop just took, untouched, to be taken again later
 * (the device found it cannot use it yet). */
void vq_unpop(struct virtqueue *vq);

/* Returns a chain to the driver with LEN bytes written into its buffers. */
void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len);

/* Interrupts the driver (call eventfd) unless it asked not to be. */
void vq_notify(struct virtqueue *vq);

/* Logs "DEVICE: queue N: PROBLEM", signals the error eventfd, stops using
 * the queue. */
void vq_mark_broken(struct virtqueue *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Where vq_mark_broken's line goes (default: stderr). The fuzz target,
 * which breaks queues thousands of times a run, passes a sink. */
void vq_set_log(void (*log)(const char *line));

/* Copies from the readable buffers of a chain, starting SKIP bytes in;
 * returns the bytes copied. */
size_t vq_chain_read(const struct vq_chain *chain, size_t skip, void *buf, size_t len);

/* Copies into the writable buffers of a chain, starting SKIP bytes in;
 * returns the bytes copied. */
size_t vq_chain_write(const struct vq_chain *chain, size_t skip, const void *buf, size_t len);

/* Fills OUT (room for VQ_MAX_CHAIN entries) with LEN bytes of the readable
 * (or writable) buffers starting SKIP bytes in; returns the entry count. */
unsigned vq_chain_slice(const struct vq_chain *chain, bool writable, uint64_t skip, uint64_t len,
			struct iovec *out);

#endif
