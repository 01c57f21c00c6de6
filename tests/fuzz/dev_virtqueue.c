/* Fuzz target: the split-virtqueue walker (devices/lib/virtqueue.c). The
 * input is guest memory: the descriptor table, available and used rings of
 * an 8-entry queue at fixed places, then buffers and indirect tables; the
 * first byte chooses EVENT_IDX. Every chain taken is read and written in
 * full, so ASan sees any iovec that points outside the memory table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/lib/virtqueue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void discard_line(const char *line)
{
	(void)line;
}

#define REGION 0x2000
#define GPA 0x10000
#define QSIZE 8

static uint8_t mem_a[REGION], mem_b[REGION];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_memory mem;
	static struct virtqueue vq;
	static struct vq_chain chain;
	char err[128];

	vq_set_log(discard_line);
	if (size < 1)
		return 0;
	memset(&mem, 0, sizeof(mem));
	memset(mem_a, 0, sizeof(mem_a));
	memset(mem_b, 0, sizeof(mem_b));
	/* Two adjacent regions, so buffers and tables may straddle them. */
	guest_memory_add(&mem, GPA, REGION, GPA, mem_a, err, sizeof(err));
	guest_memory_add(&mem, GPA + REGION, REGION, GPA + REGION, mem_b, err, sizeof(err));
	size_t n = size - 1 < 2 * REGION ? size - 1 : 2 * REGION;

	memcpy(mem_a, data + 1, n < REGION ? n : REGION);
	if (n > REGION)
		memcpy(mem_b, data + 1 + REGION, n - REGION);

	vq_init(&vq, 0, "fuzz", &mem);
	vq.num = QSIZE;
	vq.desc_uaddr = GPA;
	vq.avail_uaddr = GPA + 16 * QSIZE;
	vq.used_uaddr = GPA + 256;
	vq.enabled = true;
	vq.event_idx = data[0] & 1;
	if (vq_start(&vq) < 0)
		abort();	/* the rings are well placed: starting cannot fail */
	for (int round = 0; round < 2 * QSIZE; round++) {
		if (vq_pop(&vq, &chain) != 1)
			break;
		uint8_t sink[256];

		for (unsigned i = 0; i < chain.n_out + chain.n_in; i++) {
			volatile uint8_t *p = chain.iov[i].iov_base;

			if (chain.iov[i].iov_len) {
				sink[0] = p[0];
				p[chain.iov[i].iov_len - 1] = sink[0];
			}
		}
		vq_chain_read(&chain, 0, sink, sizeof(sink));
		vq_chain_write(&chain, 1, sink, sizeof(sink));
		vq_push(&vq, chain.head, (uint32_t)chain.in_len);
		vq_notify(&vq);
	}
	return 0;
}
