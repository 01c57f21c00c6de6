/* Split virtqueue walking: every value read from the rings is checked
 * before use. */
#include "devices/lib/virtqueue.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The guest writes the rings concurrently: each shared field is read once,
 * through a volatile access, and the acquire/release fences order them
 * against the ring entries (virtio 1.2 §2.7.13, §2.7.14). */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

void vq_init(struct virtqueue *vq, unsigned index, const char *device,
	     const struct guest_memory *mem)
{
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->device = device;
	vq->mem = mem;
	vq->kick_fd = vq->call_fd = vq->err_fd = -1;
}

static void log_stderr(const char *line)
{
	fprintf(stderr, "%s\n", line);
}

static void (*log_line)(const char *line) = log_stderr;

void vq_set_log(void (*log)(const char *line))
{
	log_line = log;
}

void vq_mark_broken(struct virtqueue *vq, const char *fmt, ...)
{
	char msg[256], line[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: queue %u: %s; queue stopped until reset", vq->device,
		 vq->index, msg);
	log_line(line);
	vq->broken = true;
	if (vq->err_fd >= 0) {
		uint64_t one = 1;

		if (write(vq->err_fd, &one, sizeof(one)) < 0)
			fprintf(stderr, "%s: queue %u: error eventfd: %m\n", vq->device, vq->index);
	}
}

int vq_start(struct virtqueue *vq)
{
	uint64_t num = vq->num;

	vq->broken = false;
	vq->started = false;
	if (num == 0 || num > VQ_MAX_SIZE || (num & (num - 1))) {
		vq_mark_broken(vq, "size %u is not a power of 2 up to %d", vq->num, VQ_MAX_SIZE);
		return -1;
	}
	if ((vq->desc_uaddr & 15) || (vq->avail_uaddr & 1) || (vq->used_uaddr & 3)) {
		vq_mark_broken(vq, "rings misaligned (desc 0x%llx avail 0x%llx used 0x%llx)",
			       (unsigned long long)vq->desc_uaddr,
			       (unsigned long long)vq->avail_uaddr,
			       (unsigned long long)vq->used_uaddr);
		return -1;
	}
	vq->desc = guest_memory_uaddr(vq->mem, vq->desc_uaddr, 16 * num);
	vq->avail = guest_memory_uaddr(vq->mem, vq->avail_uaddr, 6 + 2 * num);
	vq->used = guest_memory_uaddr(vq->mem, vq->used_uaddr, 6 + 8 * num);
	if (!vq->desc || !vq->avail || !vq->used) {
		vq_mark_broken(vq, "%s ring at 0x%llx outside guest memory",
			       !vq->desc ? "descriptor" : !vq->avail ? "available" : "used",
			       (unsigned long long)(!vq->desc    ? vq->desc_uaddr
						    : !vq->avail ? vq->avail_uaddr
								 : vq->used_uaddr));
		vq_stop(vq);
		return -1;
	}
	/* Rings that overlap would let the device's own used-ring writes move
	 * the driver's available index: a kick that never ends. */
	if (ranges_overlap(vq->desc_uaddr, 16 * num, vq->avail_uaddr, 6 + 2 * num) ||
	    ranges_overlap(vq->desc_uaddr, 16 * num, vq->used_uaddr, 6 + 8 * num) ||
	    ranges_overlap(vq->avail_uaddr, 6 + 2 * num, vq->used_uaddr, 6 + 8 * num)) {
		vq_mark_broken(vq, "rings overlap (desc 0x%llx avail 0x%llx used 0x%llx, size %u)",
			       (unsigned long long)vq->desc_uaddr, (unsigned long long)vq->avail_uaddr,
			       (unsigned long long)vq->used_uaddr, vq->num);
		vq_stop(vq);
		return -1;
	}
	/* Aligned frontend addresses still give misaligned host pointers when
	 * a region's mmap offset is odd; the ring fields are read and written
	 * in place, so the device's own pointers must be aligned too. */
	if (((uintptr_t)vq->desc & 15) || ((uintptr_t)vq->avail & 1) || ((uintptr_t)vq->used & 3)) {
		vq_mark_broken(vq, "rings misaligned in the device's mapping (region mmap offset not aligned)");
		vq_stop(vq);
		return -1;
	}
	vq->used_idx = READ_ONCE(vq->used->idx);
	vq->signalled_used = vq->used_idx;
	vq->started = true;
	return 0;
}

void vq_stop(struct virtqueue *vq)
{
	vq->started = false;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

bool vq_ready(const struct virtqueue *vq)
{
	return vq->started && vq->enabled && !vq->broken;
}

/* Appends one descriptor's buffer to the chain, checking order and room. */
static int chain_add(struct virtqueue *vq, struct vq_chain *chain, const struct vring_desc *d)
{
	bool writable = d->flags & VRING_DESC_F_WRITE;
	unsigned used = chain->n_out + chain->n_in;

	if (!writable && chain->n_in) {
		vq_mark_broken(vq, "chain at head %u: readable descriptor after a writable one",
			       chain->head);
		return -1;
	}
	int n = guest_memory_iov(vq->mem, d->addr, d->len, chain->iov + used, VQ_MAX_CHAIN - used);

	if (n < 0) {
		if (used >= VQ_MAX_CHAIN)
			vq_mark_broken(vq, "chain at head %u longer than %d buffers", chain->head,
				       VQ_MAX_CHAIN);
		else
			vq_mark_broken(vq, "chain at head %u: buffer 0x%llx+0x%x outside guest memory",
				       chain->head, (unsigned long long)d->addr, d->len);
		return -1;
	}
	if (writable) {
		chain->n_in += n;
		chain->in_len += d->len;
	} else {
		chain->n_out += n;
		chain->out_len += d->len;
	}
	return 0;
}

/* Walks the descriptors of TABLE (SIZE entries) from index I: a loop shows
 * up as more steps than the table has entries. *BUFFERS counts the chain's
 * buffers across tables. */
static int walk_table(struct virtqueue *vq, struct vq_chain *chain, const struct vring_desc *table,
		      uint32_t size, uint16_t i, bool indirect, unsigned *buffers)
{
	for (uint32_t n = 0;; n++) {
		struct vring_desc d;

		if (i >= size) {
			vq_mark_broken(vq, "chain at head %u: %sdescriptor index %u past %u entries",
				       chain->head, indirect ? "indirect " : "", i, size);
			return -1;
		}
		if (n >= size) {
			vq_mark_broken(vq, "chain at head %u: %sdescriptor loop", chain->head,
				       indirect ? "indirect " : "");
			return -1;
		}
		memcpy(&d, (const void *)&table[i], sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (indirect) {
				vq_mark_broken(vq, "chain at head %u: indirect descriptor inside an indirect table",
					       chain->head);
				return -1;
			}
			if (d.flags & VRING_DESC_F_NEXT || d.len == 0 || d.len % sizeof(d)) {
				vq_mark_broken(vq, "chain at head %u: indirect descriptor with NEXT or length %u",
					       chain->head, d.len);
				return -1;
			}
			const struct vring_desc *sub = guest_memory_gpa(vq->mem, d.addr, d.len);

			if (!sub) {
				vq_mark_broken(vq, "chain at head %u: indirect table 0x%llx+0x%x outside guest memory",
					       chain->head, (unsigned long long)d.addr, d.len);
				return -1;
			}
			if (walk_table(vq, chain, sub, d.len / sizeof(d), 0, true, buffers) < 0)
				return -1;
		} else {
			/* virtio 1.2 §2.7.5.3.1: no chain is longer than the
			 * queue size. The buffers count, those of an indirect
			 * table included; the descriptor pointing at the table
			 * does not (Linux fills a 128-entry table on a queue of
			 * 128 when seg_max is 126). */
			if (++*buffers > vq->num) {
				vq_mark_broken(vq, "chain at head %u longer than the queue size %u",
					       chain->head, vq->num);
				return -1;
			}
			if (chain_add(vq, chain, &d) < 0)
				return -1;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

/* avail_event: the 16 bits after the used ring's last entry. */
static void set_avail_event(struct virtqueue *vq)
{
	volatile uint16_t *avail_event = (volatile uint16_t *)((uint8_t *)vq->used + 4 + 8 * vq->num);

	*avail_event = vq->last_avail;
}

int vq_pop(struct virtqueue *vq, struct vq_chain *chain)
{
	if (!vq_ready(vq))
		return vq->broken ? -1 : 0;

	uint16_t avail_idx = READ_ONCE(vq->avail->idx);

	if (avail_idx == vq->last_avail && vq->event_idx) {
		/* Ask for a kick at the next entry, then look once more: the
		 * driver may have added one before it saw avail_event. */
		set_avail_event(vq);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = READ_ONCE(vq->avail->idx);
	}
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);

	if (pending > vq->num) {
		vq_mark_broken(vq, "available index %u is %u entries ahead of %u (queue size %u)",
			       avail_idx, pending, vq->last_avail, vq->num);
		return -1;
	}
	if (pending == 0)
		return 0;
	/* The ring entry and descriptors are read after the index. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);

	uint16_t head = READ_ONCE(vq->avail->ring[vq->last_avail % vq->num]);
	unsigned buffers = 0;

	chain->head = head;
	chain->n_out = chain->n_in = 0;
	chain->out_len = chain->in_len = 0;
	if (walk_table(vq, chain, vq->desc, vq->num, head, false, &buffers) < 0)
		return -1;
	vq->last_avail++;
	if (vq->event_idx)
		set_avail_event(vq);
	return 1;
}

void vq_unpop(struct virtqueue *vq)
{
	vq->last_avail--;
}

void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	if (!vq->started || vq->broken)
		return;
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];

	WRITE_ONCE(e->id, head);
	WRITE_ONCE(e->len, len);
	/* The entry is visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->used_idx++;
	WRITE_ONCE(vq->used->idx, vq->used_idx);
}

/* virtio 1.2 §2.7.10: interrupt when used_event lies in (old, new]. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

static bool should_notify(struct virtqueue *vq)
{
	uint16_t old = vq->signalled_used;

	/* Nothing used since the last interrupt: nothing to say. */
	if (vq->used_idx == old)
		return false;
	vq->signalled_used = vq->used_idx;
	/* Our used index store is ordered before reading the driver's wishes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(READ_ONCE(vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	return need_event(READ_ONCE(vq->avail->ring[vq->num]), vq->used_idx, old);
}

void vq_notify(struct virtqueue *vq)
{
	if (!vq->started || vq->broken || vq->call_fd < 0 || !should_notify(vq))
		return;
	uint64_t one = 1;

	if (write(vq->call_fd, &one, sizeof(one)) < 0)
		fprintf(stderr, "%s: queue %u: call eventfd: %m\n", vq->device, vq->index);
}

/* The readable (or writable) part of a chain. */
static const struct iovec *chain_part(const struct vq_chain *chain, bool writable, int *count)
{
	*count = (int)(writable ? chain->n_in : chain->n_out);
	return chain->iov + (writable ? chain->n_out : 0);
}

unsigned vq_chain_slice(const struct vq_chain *chain, bool writable, uint64_t skip, uint64_t len,
			struct iovec *out)
{
	int n;
	const struct iovec *part = chain_part(chain, writable, &n);

	return (unsigned)iov_slice(part, n, skip, len, out);
}

size_t vq_chain_read(const struct vq_chain *chain, size_t skip, void *buf, size_t len)
{
	int n;
	const struct iovec *part = chain_part(chain, false, &n);

	return iov_to_buf(part, n, skip, buf, len);
}

size_t vq_chain_write(const struct vq_chain *chain, size_t skip, const void *buf, size_t len)
{
	int n;
	const struct iovec *part = chain_part(chain, true, &n);

	return iov_from_buf(part, n, skip, buf, len);
}
