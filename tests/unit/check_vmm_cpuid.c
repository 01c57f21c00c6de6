/* The CPUID a vCPU reports (vmm/x86/cpuid.c), built from a supported list
 * as KVM_GET_SUPPORTED_CPUID gives it: the APIC id and topology, the
 * hypervisor bit with KVM's own leaves, and the XCR0 the vCPU starts with. */
#include <stdint.h>

#include "tests/unit/check_tap.h"
#include "vmm/x86/cpuid.h"

#define HYPERVISOR_BIT	(1u << 31)
#define XSAVE_BIT	(1u << 26)
#define CX16_BIT	(1u << 13)	/* hidden where KVM is KVM-PVM */
#define NENT(a)		(sizeof(a) / sizeof((a)[0]))

static const struct kvm_cpuid_entry2 *find_leaf(const struct kvm_cpuid_entry2 *e, unsigned int n,
						uint32_t function, uint32_t index)
{
	for (unsigned int i = 0; i < n; i++)
		if (e[i].function == function && e[i].index == index)
			return &e[i];
	return NULL;
}

START_TEST(cpuid_apic_id_and_topology)
{
	const struct kvm_cpuid_entry2 supported[] = {
		{ .function = 0x1, .eax = 0xa10f11, .ebx = 0x01020800, .ecx = 0x81202000 },
		{ .function = 0xb, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .edx = 1 },
		{ .function = 0x80000008, .eax = 0x3030, .ecx = 0x7001 },
	};
	struct kvm_cpuid_entry2 out[3 + CPUID_EXTRA_ENTRIES];
	unsigned int n = cpuid_build(supported, 3, out, 5, 8);
	const struct kvm_cpuid_entry2 *e;

	ck_assert_uint_eq(n, 5);
	e = find_leaf(out, n, 0x1, 0);
	ck_assert_uint_eq(e->ebx >> 24, 5);		/* APIC id */
	ck_assert_uint_eq((e->ebx >> 16) & 0xff, 8);	/* addressable ids */
	ck_assert_uint_eq(e->ebx & 0xffff, 0x0800);	/* the rest kept */
	ck_assert(e->edx & (1u << 28));			/* HTT: several CPUs */
	e = find_leaf(out, n, 0xb, 0);
	ck_assert_uint_eq(e->ebx, 1);			/* one thread per core */
	ck_assert_uint_eq(e->edx, 5);
	e = find_leaf(out, n, 0xb, 1);
	ck_assert_uint_eq(e->eax, 3);			/* 8 cores: 3 bits */
	ck_assert_uint_eq(e->ebx, 8);
	ck_assert_uint_eq((e->ecx >> 8) & 0xff, 2);	/* core level */
	e = find_leaf(out, n, 0xb, 2);
	ck_assert_uint_eq((e->ecx >> 8) & 0xff, 0);	/* end of levels */
	e = find_leaf(out, n, 0x80000008, 0);
	ck_assert_uint_eq(e->ecx & 0xff, 7);
	ck_assert_uint_eq((e->ecx >> 12) & 0xf, 3);
}
END_TEST

START_TEST(cpuid_single_cpu)
{
	const struct kvm_cpuid_entry2 supported[] = {
		{ .function = 0x1, .ebx = 0x00ff0800, .edx = 1u << 28 },
	};
	struct kvm_cpuid_entry2 out[1 + CPUID_EXTRA_ENTRIES];

	ck_assert_uint_eq(cpuid_build(supported, 1, out, 0, 1), 1);
	ck_assert_uint_eq(out[0].ebx, 0x00010800);
	ck_assert_uint_eq(out[0].edx & (1u << 28), 0);
}
END_TEST

/* KVM's list from a 6.1 kernel (kvm-amd): no hypervisor bit of its own. */
static const struct kvm_cpuid_entry2 kvm_list[] = {
	{ .function = 0x1, .eax = 0x60fb1, .ebx = 0x800, .ecx = 0x76f83203, .edx = 0x0f8bfbfd },
	{ .function = 0xd, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 0x207, .ebx = 0xa88, .ecx = 0xa88 },
	{ .function = 0xd, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 0x5 },
	{ .function = 0xd, .index = 2, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 0x100, .ebx = 0x240 },
	{ .function = 0x40000000, .eax = 0x40000001,
	  .ebx = 0x4b4d564b, .ecx = 0x564b4d56, .edx = 0x4d },	/* "KVMKVMKVM" */
	{ .function = 0x40000001, .eax = 0x01007efb },
};

START_TEST(cpuid_says_hypervisor)
{
	struct kvm_cpuid_entry2 out[NENT(kvm_list) + CPUID_EXTRA_ENTRIES];
	unsigned int n = cpuid_build(kvm_list, NENT(kvm_list), out, 0, 1);
	const struct kvm_cpuid_entry2 *e = find_leaf(out, n, 0x1, 0);

	ck_assert(e->ecx & HYPERVISOR_BIT);
	/* The rest kept. */
	ck_assert_uint_eq(e->ecx & ~(HYPERVISOR_BIT | CX16_BIT), kvm_list[0].ecx & ~CX16_BIT);
}
END_TEST

START_TEST(cpuid_keeps_kvm_leaves)
{
	struct kvm_cpuid_entry2 out[NENT(kvm_list) + CPUID_EXTRA_ENTRIES];
	unsigned int n = cpuid_build(kvm_list, NENT(kvm_list), out, 0, 2);
	const struct kvm_cpuid_entry2 *sig = find_leaf(out, n, 0x40000000, 0);
	const struct kvm_cpuid_entry2 *feat = find_leaf(out, n, 0x40000001, 0);

	ck_assert_ptr_nonnull(sig);
	ck_assert_uint_eq(sig->eax, 0x40000001);
	ck_assert_uint_eq(sig->ebx, 0x4b4d564b);
	ck_assert_uint_eq(sig->ecx, 0x564b4d56);
	ck_assert_uint_eq(sig->edx, 0x4d);
	ck_assert_ptr_nonnull(feat);
	ck_assert_uint_eq(feat->eax, 0x01007efb);	/* kvm-clock and the rest */
}
END_TEST

START_TEST(cpuid_xcr0_is_leaf_0xd)
{
	struct kvm_cpuid_entry2 list[NENT(kvm_list)];

	ck_assert_uint_eq(cpuid_xcr0(kvm_list, NENT(kvm_list)), 0x207);
	/* Components above bit 31 come from EDX. */
	for (unsigned int i = 0; i < NENT(list); i++)
		list[i] = kvm_list[i];
	list[1].edx = 0x1;
	ck_assert_uint_eq(cpuid_xcr0(list, NENT(list)), 0x100000207ULL);
	/* No XSAVE: nothing to set, whatever leaf 0xd says. */
	list[0].ecx &= ~XSAVE_BIT;
	ck_assert_uint_eq(cpuid_xcr0(list, NENT(list)), 0);
	/* No leaf 0xd at all. */
	ck_assert_uint_eq(cpuid_xcr0(kvm_list, 1), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_cpuid");
	TCase *tc = tcase_create("cpuid");

	tcase_add_test(tc, cpuid_apic_id_and_topology);
	tcase_add_test(tc, cpuid_single_cpu);
	tcase_add_test(tc, cpuid_says_hypervisor);
	tcase_add_test(tc, cpuid_keeps_kvm_leaves);
	tcase_add_test(tc, cpuid_xcr0_is_leaf_0xd);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
