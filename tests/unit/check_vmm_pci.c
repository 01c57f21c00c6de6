/* The vmm's PCI bus without KVM: configuration mechanism #1 with byte,
 * word and dword accesses, ECAM reaching the same registers, BAR sizing,
 * the memory enable gating BAR decode, and the capability list. */
#include <string.h>

#include "tests/unit/check_tap.h"
#include "vmm/pci/bus.h"
#include "vmm/pci/msix.h"
#include "vmm/x86/layout.h"

#define ECAM(dev, off) (((uint64_t)(dev) << 15) | (off))

static struct pci_bus bus;
static struct pci_device dev;
static uint64_t bar_hits, last_bar_off;

static void bar_access(struct pci_device *d, unsigned int bar, uint64_t off, uint8_t *data,
		       unsigned int size, bool is_write)
{
	(void)d;
	(void)bar;
	bar_hits++;
	last_bar_off = off;
	if (!is_write)
		memset(data, 0x42, size);
}

static const struct pci_device_ops ops = { .bar_access = bar_access };

static uint32_t get(const uint8_t *b, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static void put(uint8_t *b, unsigned int size, uint32_t v)
{
	for (unsigned int i = 0; i < size; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void cf8_select(unsigned int slot, unsigned int off)
{
	uint8_t a[4];

	put(a, 4, 0x80000000u | slot << 11 | (off & 0xfc));
	pci_bus_cf8_access(&bus, 0, a, 4, true);
}

static uint32_t cf8_read(unsigned int slot, unsigned int off, unsigned int size)
{
	uint8_t d[4];

	cf8_select(slot, off);
	pci_bus_cf8_access(&bus, 4 + (off & 3), d, size, false);
	return get(d, size);
}

static void cf8_write(unsigned int slot, unsigned int off, unsigned int size, uint32_t v)
{
	uint8_t d[4];

	cf8_select(slot, off);
	put(d, size, v);
	pci_bus_cf8_access(&bus, 4 + (off & 3), d, size, true);
}

static uint32_t ecam_read(unsigned int slot, unsigned int off, unsigned int size)
{
	uint8_t d[4];

	pci_bus_ecam_access(&bus, ECAM(slot, off), d, size, false);
	return get(d, size);
}

static void setup(void)
{
	uint64_t addr;

	pci_bus_init(&bus);
	pci_config_init(&dev.cfg, 0x1af4, 0x1042, 1, 0x018000, 0x1af4, 2);
	dev.ops = &ops;
	addr = pci_bus_alloc_mmio32(&bus, 0x4000);
	ck_assert_uint_eq(addr, LAYOUT_PCI_MMIO32_BASE);
	ck_assert(pci_config_add_mem_bar(&dev.cfg, 0, 0x4000, false, addr));
	ck_assert_int_eq(pci_bus_add(&bus, &dev), 1);
	bar_hits = 0;
}

static void teardown(void)
{
	pci_bus_destroy(&bus);
}

START_TEST(host_bridge_and_device_ids)
{
	ck_assert_uint_eq(cf8_read(0, 0x0a, 2), 0x0600);
	ck_assert_uint_eq(cf8_read(1, 0, 4), 0x10421af4);
	ck_assert_uint_eq(cf8_read(1, 0, 2), 0x1af4);
	ck_assert_uint_eq(cf8_read(1, 2, 2), 0x1042);
	ck_assert_uint_eq(cf8_read(1, 3, 1), 0x10);
	ck_assert_uint_eq(cf8_read(1, 0x08, 1), 1);
	ck_assert_uint_eq(cf8_read(1, 0x2e, 2), 2);
	/* Empty slots, other functions, other buses: no device. */
	ck_assert_uint_eq(cf8_read(2, 0, 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(2, 0, 2), 0xffff);
	ck_assert_uint_eq(ecam_read(1, 0x100 | 0, 4), 0);
}
END_TEST

START_TEST(cf8_address_register)
{
	uint8_t d[4];

	cf8_select(1, 0x10);
	pci_bus_cf8_access(&bus, 0, d, 4, false);
	ck_assert_uint_eq(get(d, 4), 0x80000810u);
	/* Disabled: nothing answers. */
	put(d, 4, 0x00000800);
	pci_bus_cf8_access(&bus, 0, d, 4, true);
	pci_bus_cf8_access(&bus, 4, d, 4, false);
	ck_assert_uint_eq(get(d, 4), 0xffffffff);
	/* Bus 1 does not exist. */
	put(d, 4, 0x80010000);
	pci_bus_cf8_access(&bus, 0, d, 4, true);
	pci_bus_cf8_access(&bus, 4, d, 2, false);
	ck_assert_uint_eq(get(d, 2), 0xffff);
}
END_TEST

START_TEST(ecam_and_cf8_share_registers)
{
	uint8_t d[4];

	cf8_write(1, PCI_INTERRUPT_LINE, 1, 0x0b);
	ck_assert_uint_eq(ecam_read(1, PCI_INTERRUPT_LINE, 1), 0x0b);
	put(d, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_bus_ecam_access(&bus, ECAM(1, PCI_COMMAND), d, 2, true);
	ck_assert_uint_eq(cf8_read(1, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* Read-only registers stay. */
	cf8_write(1, 0, 4, 0);
	ck_assert_uint_eq(ecam_read(1, 0, 4), 0x10421af4);
}
END_TEST

START_TEST(bar_sizing)
{
	cf8_write(1, PCI_BAR0, 4, 0xffffffff);
	ck_assert_uint_eq(cf8_read(1, PCI_BAR0, 4), 0xffffc000u);
	cf8_write(1, PCI_BAR0, 4, LAYOUT_PCI_MMIO32_BASE + 0x10000);
	ck_assert_uint_eq(cf8_read(1, PCI_BAR0, 4), LAYOUT_PCI_MMIO32_BASE + 0x10000);
	ck_assert_uint_eq(pci_config_bar_addr(&dev.cfg, 0), LAYOUT_PCI_MMIO32_BASE + 0x10000);
	/* Unimplemented BARs read zero even after all-ones. */
	cf8_write(1, PCI_BAR0 + 4, 4, 0xffffffff);
	ck_assert_uint_eq(cf8_read(1, PCI_BAR0 + 4, 4), 0);
}
END_TEST

START_TEST(bar_64bit_sizing)
{
	struct pci_config_space c;

	pci_config_init(&c, 1, 2, 0, 0, 0, 0);
	ck_assert(pci_config_add_mem_bar(&c, 2, 0x100000, true, LAYOUT_PCI_MMIO64_BASE));
	ck_assert(!pci_config_add_mem_bar(&c, 3, 0x1000, false, 0));
	ck_assert(!pci_config_add_mem_bar(&c, 4, 0x1001, false, 0));
	pci_config_write(&c, PCI_BAR0 + 8, 4, 0xffffffff);
	pci_config_write(&c, PCI_BAR0 + 12, 4, 0xffffffff);
	ck_assert_uint_eq(pci_config_read(&c, PCI_BAR0 + 8, 4), 0xfff00004u);
	ck_assert_uint_eq(pci_config_read(&c, PCI_BAR0 + 12, 4), 0xffffffffu);
	pci_config_write(&c, PCI_BAR0 + 8, 4, 0x00200000);
	pci_config_write(&c, PCI_BAR0 + 12, 4, 0x80);
	ck_assert_uint_eq(pci_config_bar_addr(&c, 2), 0x8000200000ULL);
}
END_TEST

START_TEST(memory_enable_gates_bar)
{
	uint8_t d[4];

	pci_bus_mmio_access(&bus, 0x10, d, 4, false);
	ck_assert_uint_eq(bar_hits, 0);
	ck_assert_uint_eq(get(d, 4), 0xffffffff);
	cf8_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	pci_bus_mmio_access(&bus, 0x10, d, 4, false);
	ck_assert_uint_eq(bar_hits, 1);
	ck_assert_uint_eq(last_bar_off, 0x10);
	ck_assert_uint_eq(get(d, 4), 0x42424242);
	/* Moved BAR: decoded at its new address only. */
	cf8_write(1, PCI_BAR0, 4, LAYOUT_PCI_MMIO32_BASE + 0x8000);
	pci_bus_mmio_access(&bus, 0x10, d, 4, false);
	ck_assert_uint_eq(bar_hits, 1);
	pci_bus_mmio_access(&bus, 0x8004, d, 4, true);
	ck_assert_uint_eq(bar_hits, 2);
	ck_assert_uint_eq(last_bar_off, 4);
}
END_TEST

START_TEST(capability_list_walk)
{
	uint8_t first = pci_config_add_cap(&dev.cfg, 0x09, 16);
	uint8_t second = pci_config_add_cap(&dev.cfg, 0x11, 12);
	unsigned int off, n = 0;
	uint8_t ids[4];

	ck_assert_uint_eq(first, PCI_CAP_START);
	ck_assert(cf8_read(1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (off = cf8_read(1, PCI_CAPABILITY_LIST, 1); off && n < 4; n++) {
		ck_assert_uint_eq(off & 3, 0);
		ids[n] = (uint8_t)cf8_read(1, off, 1);
		off = ecam_read(1, off + 1, 1);
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(ids[0], 0x09);
	ck_assert_uint_eq(ids[1], 0x11);
	ck_assert_uint_eq(second, first + 16);
	/* Status error bits are write-1-to-clear; writing never sets them. */
	cf8_write(1, PCI_STATUS, 2, 0xffff);
	ck_assert(cf8_read(1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
}
END_TEST

static unsigned int sent, changed;
static uint64_t sent_addr;
static uint32_t sent_data;

static void msix_send(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	sent++;
	sent_addr = addr;
	sent_data = data;
}

static void msix_vector_changed(void *opaque, unsigned int vector)
{
	(void)opaque;
	(void)vector;
	changed++;
}

static const struct msix_ops msix_ops = { msix_send, msix_vector_changed };

static void table_write(struct msix *m, unsigned int vector, unsigned int word, uint32_t v)
{
	uint8_t d[4];

	put(d, 4, v);
	msix_table_access(m, vector * MSIX_ENTRY_SIZE + word * 4, d, 4, true);
}

static uint32_t pba_read(struct msix *m)
{
	uint8_t d[4];

	msix_pba_access(m, 0, d, 4, false);
	return get(d, 4);
}

/* Through the bus, as a guest does, so config_written runs. */
static void msix_control(struct msix *m, uint16_t v)
{
	pci_config_write(&dev.cfg, m->cap + 2, 2, v);
	msix_config_written(m);
}

START_TEST(msix_capability)
{
	struct msix m;
	uint8_t cap;

	ck_assert_int_eq(msix_init(&m, &dev.cfg, 3, 0, 0x2000, 0x3000, &msix_ops, NULL), 0);
	cap = (uint8_t)cf8_read(1, PCI_CAPABILITY_LIST, 1);
	ck_assert_uint_eq(cf8_read(1, cap, 1), PCI_CAP_ID_MSIX);
	ck_assert_uint_eq(cf8_read(1, cap + 2, 2), 2);	/* table size - 1 */
	ck_assert_uint_eq(cf8_read(1, cap + 4, 4), 0x2000);
	ck_assert_uint_eq(cf8_read(1, cap + 8, 4), 0x3000);
	/* Only enable and function mask are writable. */
	cf8_write(1, cap + 2, 2, 0xffff);
	ck_assert_uint_eq(cf8_read(1, cap + 2, 2), 0xc002);
	msix_config_written(&m);
	ck_assert(msix_enabled(&m));
}
END_TEST

START_TEST(msix_table_rw)
{
	struct msix m;
	uint8_t d[8];

	ck_assert_int_eq(msix_init(&m, &dev.cfg, 2, 0, 0x2000, 0x3000, &msix_ops, NULL), 0);
	msix_table_access(&m, 12, d, 4, false);
	ck_assert_uint_eq(get(d, 4), 1);		/* starts masked */
	put(d, 4, 0xfee00000);
	put(d + 4, 4, 0);
	msix_table_access(&m, 16, d, 8, true);		/* qword: addr lo + hi */
	table_write(&m, 1, 2, 0x4041);
	table_write(&m, 1, 3, 0xfffffffe);		/* reserved bits stay 0 */
	msix_table_access(&m, 16 + 8, d, 8, false);
	ck_assert_uint_eq(get(d, 4), 0x4041);
	ck_assert_uint_eq(get(d + 4, 4), 0);
	msix_table_access(&m, 16, d, 4, false);
	ck_assert_uint_eq(get(d, 4), 0xfee00000);
	/* Past the table and unaligned: nothing. */
	msix_table_access(&m, 32, d, 4, false);
	ck_assert_uint_eq(get(d, 4), 0);
	msix_table_access(&m, 2, d, 4, false);
	ck_assert_uint_eq(get(d, 4), 0);
}
END_TEST

START_TEST(msix_masked_vector_pends_until_unmasked)
{
	struct msix m;

	ck_assert_int_eq(msix_init(&m, &dev.cfg, 2, 0, 0x2000, 0x3000, &msix_ops, NULL), 0);
	sent = changed = 0;
	table_write(&m, 1, 0, 0xfee01000);
	table_write(&m, 1, 2, 0x31);
	/* MSI-X disabled: pending. */
	msix_notify(&m, 1);
	ck_assert_uint_eq(sent, 0);
	ck_assert_uint_eq(pba_read(&m), 2);
	msix_control(&m, 0x8000);
	ck_assert_uint_eq(sent, 0);			/* entry still masked */
	table_write(&m, 1, 3, 0);			/* unmask: the pending one goes */
	ck_assert_uint_eq(sent, 1);
	ck_assert_uint_eq(sent_addr, 0xfee01000);
	ck_assert_uint_eq(sent_data, 0x31);
	ck_assert_uint_eq(pba_read(&m), 0);
	msix_notify(&m, 1);
	ck_assert_uint_eq(sent, 2);
	/* Function mask holds everything back. */
	msix_control(&m, 0xc000);
	msix_notify(&m, 1);
	ck_assert_uint_eq(sent, 2);
	ck_assert_uint_eq(pba_read(&m), 2);
	msix_control(&m, 0x8000);
	ck_assert_uint_eq(sent, 3);
	ck_assert_uint_eq(pba_read(&m), 0);
	/* Out of range vectors are dropped; PBA writes ignored. */
	msix_notify(&m, MSIX_NO_VECTOR);
	ck_assert_uint_eq(sent, 3);
	ck_assert(changed > 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_pci");
	TCase *tc = tcase_create("pci");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, host_bridge_and_device_ids);
	tcase_add_test(tc, cf8_address_register);
	tcase_add_test(tc, ecam_and_cf8_share_registers);
	tcase_add_test(tc, bar_sizing);
	tcase_add_test(tc, bar_64bit_sizing);
	tcase_add_test(tc, memory_enable_gates_bar);
	tcase_add_test(tc, capability_list_walk);
	tcase_add_test(tc, msix_capability);
	tcase_add_test(tc, msix_table_rw);
	tcase_add_test(tc, msix_masked_vector_pends_until_unmasked);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
