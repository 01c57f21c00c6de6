/* devices/lib/virtqueue.c: split rings built in a test-owned buffer that is
 * registered as the memory table, the good paths and every malformed ring
 * the device must survive by marking the queue broken. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/lib/virtqueue.h"
#include "tests/unit/check_tap.h"

#define MEM_GPA 0x10000
#define MEM_SIZE 0x10000
#define QSIZE 16
#define DESC_GPA (MEM_GPA + 0x0)
#define AVAIL_GPA (MEM_GPA + 0x1000)
#define USED_GPA (MEM_GPA + 0x2000)
#define DATA_GPA (MEM_GPA + 0x4000)
#define MEM2_GPA (MEM_GPA + MEM_SIZE)	/* a second region right after the first */

static uint8_t *mem_buf, *mem2_buf;
static struct guest_memory mem;
static struct virtqueue vq;
static struct vq_chain chain;

static void *host(uint64_t gpa)
{
	return gpa >= MEM2_GPA ? mem2_buf + (gpa - MEM2_GPA) : mem_buf + (gpa - MEM_GPA);
}

static struct vring_desc *desc(unsigned i)
{
	return (struct vring_desc *)host(DESC_GPA) + i;
}

static struct vring_avail *avail(void)
{
	return host(AVAIL_GPA);
}

static struct vring_used *used(void)
{
	return host(USED_GPA);
}

static void set_desc(struct vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Offers HEAD as the next available entry. */
static void offer(uint16_t head)
{
	avail()->ring[avail()->idx % QSIZE] = head;
	avail()->idx++;
}

static uint64_t eventfd_count(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) < 0)
		return 0;
	return n;
}

static void setup(void)
{
	char err[256];

	mem_buf = calloc(1, MEM_SIZE);
	mem2_buf = calloc(1, MEM_SIZE);
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(guest_memory_add(&mem, MEM_GPA, MEM_SIZE, MEM_GPA, mem_buf, err, sizeof(err)), 0);
	ck_assert_int_eq(guest_memory_add(&mem, MEM2_GPA, MEM_SIZE, MEM2_GPA, mem2_buf, err, sizeof(err)), 0);
	vq_init(&vq, 0, "test", &mem);
	vq.num = QSIZE;
	vq.desc_uaddr = DESC_GPA;
	vq.avail_uaddr = AVAIL_GPA;
	vq.used_uaddr = USED_GPA;
	vq.enabled = true;
	vq.call_fd = eventfd(0, EFD_NONBLOCK);
	vq.err_fd = eventfd(0, EFD_NONBLOCK);
	ck_assert_int_eq(vq_start(&vq), 0);
}

static void teardown(void)
{
	close(vq.call_fd);
	close(vq.err_fd);
	free(mem_buf);
	free(mem2_buf);
}

/* A malformed ring: pop fails, the queue is broken, the error eventfd
 * fired, and it stays broken. */
static void assert_broken(void)
{
	ck_assert_int_eq(vq_pop(&vq, &chain), -1);
	ck_assert(vq.broken);
	ck_assert_uint_eq(eventfd_count(vq.err_fd), 1);
	ck_assert_int_eq(vq_pop(&vq, &chain), -1);
	ck_assert_uint_eq(used()->idx, 0);
}

START_TEST(direct_chain_round_trip)
{
	memcpy(host(DATA_GPA), "request", 7);
	set_desc(desc(3), DATA_GPA, 7, VRING_DESC_F_NEXT, 5);
	set_desc(desc(5), DATA_GPA + 0x100, 64, VRING_DESC_F_WRITE, 0);
	offer(3);
	ck_assert_int_eq(vq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.n_out, 1);
	ck_assert_uint_eq(chain.n_in, 1);
	ck_assert_uint_eq(chain.out_len, 7);
	ck_assert_uint_eq(chain.in_len, 64);
	char buf[8] = "";

	ck_assert_uint_eq(vq_chain_read(&chain, 0, buf, sizeof(buf)), 7);
	ck_assert_mem_eq(buf, "request", 7);
	ck_assert_uint_eq(vq_chain_write(&chain, 0, "reply", 5), 5);
	ck_assert_mem_eq(host(DATA_GPA + 0x100), "reply", 5);
	ck_assert_int_eq(vq_pop(&vq, &chain), 0);
	vq_push(&vq, 3, 5);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 3);
	ck_assert_uint_eq(used()->ring[0].len, 5);
	vq_notify(&vq);
	ck_assert_uint_eq(eventfd_count(vq.call_fd), 1);
	ck_assert(!vq.broken);
}
END_TEST

START_TEST(indirect_chain)
{
	struct vring_desc *table = host(DATA_GPA + 0x1000);

	set_desc(&table[0], DATA_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(&table[1], DATA_GPA + 0x100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(&table[2], DATA_GPA + 0x400, 1, VRING_DESC_F_WRITE, 0);
	set_desc(desc(0), DATA_GPA + 0x1000, 3 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	offer(0);
	ck_assert_int_eq(vq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.n_out, 1);
	ck_assert_uint_eq(chain.n_in, 2);
	ck_assert_uint_eq(chain.in_len, 513);
}
END_TEST

START_TEST(buffer_split_across_regions)
{
	/* One buffer crossing from the first region into the second, and a
	 * second descriptor wholly in the second region. */
	memset(host(MEM2_GPA - 4), 'a', 4);
	memset(host(MEM2_GPA), 'b', 4);
	set_desc(desc(0), MEM2_GPA - 4, 8, VRING_DESC_F_NEXT, 1);
	set_desc(desc(1), MEM2_GPA + 0x100, 4, VRING_DESC_F_WRITE, 0);
	offer(0);
	ck_assert_int_eq(vq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.n_out, 2);
	char buf[8];

	ck_assert_uint_eq(vq_chain_read(&chain, 0, buf, 8), 8);
	ck_assert_mem_eq(buf, "aaaabbbb", 8);
	ck_assert_ptr_eq(chain.iov[2].iov_base, host(MEM2_GPA + 0x100));
}
END_TEST

START_TEST(event_idx_suppresses_interrupts)
{
	uint16_t *used_event = &avail()->ring[QSIZE];
	uint16_t *avail_event = (uint16_t *)((uint8_t *)used() + 4 + 8 * QSIZE);

	vq.event_idx = true;
	set_desc(desc(0), DATA_GPA, 1, VRING_DESC_F_WRITE, 0);
	ck_assert_int_eq(vq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(*avail_event, 0);	/* kick me at entry 0 */
	for (int i = 0; i < 3; i++)
		offer(0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(vq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(*avail_event, 3);
	/* Nothing used yet: no interrupt. */
	vq_notify(&vq);
	ck_assert_uint_eq(eventfd_count(vq.call_fd), 0);
	/* The driver wants an interrupt once entry 2 is used. */
	*used_event = 2;
	for (int i = 0; i < 2; i++) {
		vq_push(&vq, 0, 1);
		vq_notify(&vq);	/* entries 0 and 1 */
		ck_assert_uint_eq(eventfd_count(vq.call_fd), 0);
	}
	vq_push(&vq, 0, 1);
	vq_notify(&vq);	/* entry 2 used */
	ck_assert_uint_eq(eventfd_count(vq.call_fd), 1);
	vq_notify(&vq);	/* nothing new */
	ck_assert_uint_eq(eventfd_count(vq.call_fd), 0);
}
END_TEST

START_TEST(no_interrupt_flag)
{
	set_desc(desc(0), DATA_GPA, 1, VRING_DESC_F_WRITE, 0);
	offer(0);
	ck_assert_int_eq(vq_pop(&vq, &chain), 1);
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	vq_push(&vq, 0, 1);
	vq_notify(&vq);
	ck_assert_uint_eq(eventfd_count(vq.call_fd), 0);
}
END_TEST

START_TEST(descriptor_loop)
{
	set_desc(desc(0), DATA_GPA, 1, VRING_DESC_F_NEXT, 1);
	set_desc(desc(1), DATA_GPA, 1, VRING_DESC_F_NEXT, 0);
	offer(0);
	assert_broken();
}
END_TEST

START_TEST(indirect_loop)
{
	struct vring_desc *table = host(DATA_GPA + 0x1000);

	set_desc(&table[0], DATA_GPA, 1, VRING_DESC_F_NEXT, 1);
	set_desc(&table[1], DATA_GPA, 1, VRING_DESC_F_NEXT, 0);
	set_desc(desc(0), DATA_GPA + 0x1000, 2 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	offer(0);
	assert_broken();
}
END_TEST

START_TEST(length_past_memory)
{
	set_desc(desc(0), MEM2_GPA + MEM_SIZE - 16, 32, VRING_DESC_F_WRITE, 0);
	offer(0);
	assert_broken();
}
END_TEST

START_TEST(address_outside_memory)
{
	set_desc(desc(0), 0x1000, 16, 0, 0);
	offer(0);
	assert_broken();
}
END_TEST

START_TEST(indirect_table_outside_memory)
{
	set_desc(desc(0), 0x100000, 64, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	assert_broken();
}
END_TEST

START_TEST(next_index_past_table)
{
	set_desc(desc(0), DATA_GPA, 1, VRING_DESC_F_NEXT, QSIZE);
	offer(0);
	assert_broken();
}
END_TEST

/* Fills an indirect table at DATA_GPA with N one-byte readable buffers;
 * returns its length in bytes. */
static uint32_t fill_indirect_table(unsigned n)
{
	struct vring_desc *table = host(DATA_GPA);

	for (unsigned i = 0; i < n; i++)
		set_desc(&table[i], DATA_GPA, 1, i + 1 < n ? VRING_DESC_F_NEXT : 0, i + 1);
	return n * sizeof(struct vring_desc);
}

/* Offers an indirect table of N buffers through descriptor 0. */
static void offer_indirect_table(unsigned n)
{
	set_desc(desc(0), DATA_GPA, fill_indirect_table(n), VRING_DESC_F_INDIRECT, 0);
	offer(0);
}

START_TEST(indirect_chain_of_queue_size)
{
	/* As Linux's virtio_blk sends with seg_max = queue size - 2: the
	 * table holds queue size buffers, and the descriptor pointing at it
	 * is not one of them. */
	offer_indirect_table(QSIZE);
	ck_assert_int_eq(vq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.n_out, QSIZE);
}
END_TEST

START_TEST(chain_too_long)
{
	/* VQ_MAX_CHAIN + 1 buffers on a queue large enough to allow them: the
	 * rings move to the second region, which has room for 2048 entries. */
	vq_stop(&vq);
	vq.num = 2048;
	vq.desc_uaddr = MEM2_GPA;
	vq.avail_uaddr = MEM2_GPA + 0x8000;
	vq.used_uaddr = MEM2_GPA + 0xa000;
	ck_assert_int_eq(vq_start(&vq), 0);
	struct vring_avail *a = host(MEM2_GPA + 0x8000);

	set_desc(host(MEM2_GPA), DATA_GPA, fill_indirect_table(VQ_MAX_CHAIN + 1),
		 VRING_DESC_F_INDIRECT, 0);
	a->ring[0] = 0;
	a->idx = 1;
	ck_assert_int_eq(vq_pop(&vq, &chain), -1);
	ck_assert(vq.broken);
	ck_assert_uint_eq(eventfd_count(vq.err_fd), 1);
}
END_TEST

START_TEST(indirect_chain_longer_than_queue)
{
	/* QSIZE + 1 buffers in an indirect table: each fine, too many. */
	offer_indirect_table(QSIZE + 1);
	assert_broken();
}
END_TEST

START_TEST(avail_index_jump)
{
	set_desc(desc(0), DATA_GPA, 1, 0, 0);
	avail()->idx = QSIZE + 1;
	assert_broken();
}
END_TEST

START_TEST(readable_after_writable)
{
	set_desc(desc(0), DATA_GPA, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(desc(1), DATA_GPA, 1, 0, 0);
	offer(0);
	assert_broken();
}
END_TEST

START_TEST(rings_outside_memory)
{
	vq.used_uaddr = MEM2_GPA + MEM_SIZE - 8;
	ck_assert_int_eq(vq_start(&vq), -1);
	ck_assert(vq.broken);
	ck_assert_uint_eq(eventfd_count(vq.err_fd), 1);
	/* Set up anew with good rings, the queue works again. */
	vq.used_uaddr = USED_GPA;
	ck_assert_int_eq(vq_start(&vq), 0);
	ck_assert(vq_ready(&vq));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("malformed");

	tcase_add_checked_fixture(good, setup, teardown);
	tcase_add_test(good, direct_chain_round_trip);
	tcase_add_test(good, indirect_chain);
	tcase_add_test(good, indirect_chain_of_queue_size);
	tcase_add_test(good, buffer_split_across_regions);
	tcase_add_test(good, event_idx_suppresses_interrupts);
	tcase_add_test(good, no_interrupt_flag);
	suite_add_tcase(s, good);
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, descriptor_loop);
	tcase_add_test(bad, indirect_loop);
	tcase_add_test(bad, length_past_memory);
	tcase_add_test(bad, address_outside_memory);
	tcase_add_test(bad, indirect_table_outside_memory);
	tcase_add_test(bad, next_index_past_table);
	tcase_add_test(bad, chain_too_long);
	tcase_add_test(bad, indirect_chain_longer_than_queue);
	tcase_add_test(bad, avail_index_jump);
	tcase_add_test(bad, readable_after_writable);
	tcase_add_test(bad, rings_outside_memory);
	suite_add_tcase(s, bad);
	return check_run_tap(s);
}
