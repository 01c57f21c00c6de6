#include "vmm/x86/cpuid.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define LEAF_FEATURES		0x1
#define LEAF_CACHE_INTEL	0x4
#define LEAF_TOPOLOGY		0xb
#define LEAF_XSAVE		0xd
#define LEAF_TOPOLOGY_V2	0x1f
#define LEAF_EXT_FEATURES	0x80000001
#define LEAF_ADDR_SIZES		0x80000008
#define LEAF_CACHE_AMD		0x8000001d
#define LEAF_EXT_APIC_ID	0x8000001e

#define F1_EDX_HTT		(1u << 28)
#define F1_ECX_CX16		(1u << 13)
#define F1_ECX_TSC_DEADLINE	(1u << 24)
#define F1_ECX_XSAVE		(1u << 26)
#define F1_ECX_HYPERVISOR	(1u << 31)
#define EXT_ECX_CMP_LEGACY	(1u << 1)
#define CACHE_LEVEL(eax)	(((eax) >> 5) & 0x7)
#define CACHE_SHARING_MASK	(0xfffu << 14)

#define TOPO_LEVEL_SMT		1
#define TOPO_LEVEL_CORE		2

/* KVM-PVM (a software-assisted KVM, /sys/module/kvm_pvm) emulates guest
 * kernel code instruction by instruction, and its emulator lacks
 * cmpxchg16b although KVM reports CX16 supported: hiding it makes Linux
 * take its fallback instead of stopping with an emulation failure. (The
 * emulator also lacks popcnt, xrstor, int3 and fwait, but KVM-PVM fills
 * every CPUID bit outside its supported list from the host, so POPCNT and
 * XSAVE cannot be hidden, and no bit controls int3 or fwait.) */
bool cpuid_host_is_pvm(void)
{
	static int pvm = -1;

	if (pvm < 0) {
		pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
		if (pvm)
			fprintf(stderr, "vmm: KVM is software-assisted (kvm_pvm): guest kernel code "
					"runs emulated; hiding cmpxchg16b, which it cannot emulate\n");
	}
	return pvm;
}

/* Bits of the APIC id that number the cores: enough for ncpus - 1. */
static unsigned int core_bits(unsigned int ncpus)
{
	unsigned int bits = 0;

	while ((1u << bits) < ncpus)
		bits++;
	return bits;
}

static void set_cache_sharing(struct kvm_cpuid_entry2 *e, unsigned int ncpus)
{
	/* Only the last-level cache (L3) is shared by all cores. */
	uint32_t sharing = CACHE_LEVEL(e->eax) == 3 ? ncpus - 1 : 0;

	e->eax = (e->eax & ~CACHE_SHARING_MASK) | (sharing << 14);
}

static void patch_entry(struct kvm_cpuid_entry2 *e, unsigned int apic_id,
			unsigned int ncpus)
{
	unsigned int bits = core_bits(ncpus);

	switch (e->function) {
	case LEAF_FEATURES:
		e->ebx = (e->ebx & 0xffff) | (apic_id << 24) | ((1u << bits) << 16);
		if (ncpus > 1)
			e->edx |= F1_EDX_HTT;
		else
			e->edx &= ~F1_EDX_HTT;
		/* A guest looks for a hypervisor's leaves (0x40000000 on,
		 * KVM's signature and paravirt features, which KVM's list
		 * has) only when this bit says it runs on one: without it
		 * Linux has no kvm-clock and calibrates its TSC against
		 * timers that a VM cannot make exact. */
		e->ecx |= F1_ECX_HYPERVISOR;
		if (cpuid_host_is_pvm())
			e->ecx &= ~F1_ECX_CX16;
		break;
	case LEAF_CACHE_INTEL:
		if (e->eax & 0x1f) {
			e->eax = (e->eax & 0x03ffffff) | (((1u << bits) - 1) << 26);
			set_cache_sharing(e, ncpus);
		}
		break;
	case LEAF_EXT_FEATURES:
		if (ncpus > 1)
			e->ecx |= EXT_ECX_CMP_LEGACY;
		else
			e->ecx &= ~EXT_ECX_CMP_LEGACY;
		break;
	case LEAF_ADDR_SIZES:
		e->ecx = (e->ecx & ~0xf0ffu) | (bits << 12) | (ncpus - 1);
		break;
	case LEAF_CACHE_AMD:
		if (e->eax & 0x1f)
			set_cache_sharing(e, ncpus);
		break;
	case LEAF_EXT_APIC_ID:
		e->eax = apic_id;
		e->ebx = apic_id & 0xff;	/* core id; one thread per core */
		e->ecx = 0;			/* node 0 of 1 */
		break;
	}
}

/* Leaves 0xb and 0x1f: the SMT level (1 thread), the core level (ncpus
 * cores), then the terminating invalid level. */
static unsigned int topology_entries(uint32_t leaf, struct kvm_cpuid_entry2 *out,
				     unsigned int apic_id, unsigned int ncpus)
{
	const struct { uint32_t eax, ebx, ecx; } levels[3] = {
		{ 0, 1, 0 | (TOPO_LEVEL_SMT << 8) },
		{ core_bits(ncpus), ncpus, 1 | (TOPO_LEVEL_CORE << 8) },
		{ 0, 0, 2 },
	};

	for (unsigned int i = 0; i < 3; i++) {
		out[i] = (struct kvm_cpuid_entry2){
			.function = leaf,
			.index = i,
			.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			.eax = levels[i].eax,
			.ebx = levels[i].ebx,
			.ecx = levels[i].ecx,
			.edx = apic_id,
		};
	}
	return 3;
}

void cpuid_add_capabilities(struct kvm_cpuid2 *supported, int sys_fd)
{
	if (ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) <= 0)
		return;
	for (unsigned int i = 0; i < supported->nent; i++)
		if (supported->entries[i].function == LEAF_FEATURES)
			supported->entries[i].ecx |= F1_ECX_TSC_DEADLINE;
}

unsigned int cpuid_build(const struct kvm_cpuid_entry2 *supported, unsigned int n,
			 struct kvm_cpuid_entry2 *out, unsigned int apic_id,
			 unsigned int ncpus)
{
	unsigned int count = 0;
	uint32_t done_leaf = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t leaf = supported[i].function;

		if (leaf == LEAF_TOPOLOGY || leaf == LEAF_TOPOLOGY_V2) {
			/* Replaces all of KVM's subleaves, once. */
			if (leaf != done_leaf)
				count += topology_entries(leaf, &out[count], apic_id, ncpus);
			done_leaf = leaf;
			continue;
		}
		out[count] = supported[i];
		patch_entry(&out[count], apic_id, ncpus);
		count++;
	}
	return count;
}

static const struct kvm_cpuid_entry2 *find_entry(const struct kvm_cpuid_entry2 *e,
						  unsigned int n, uint32_t leaf, uint32_t index)
{
	for (unsigned int i = 0; i < n; i++)
		if (e[i].function == leaf && e[i].index == index)
			return &e[i];
	return NULL;
}

uint64_t cpuid_xcr0(const struct kvm_cpuid_entry2 *supported, unsigned int n)
{
	const struct kvm_cpuid_entry2 *f = find_entry(supported, n, LEAF_FEATURES, 0);
	const struct kvm_cpuid_entry2 *x = find_entry(supported, n, LEAF_XSAVE, 0);

	if (!f || !(f->ecx & F1_ECX_XSAVE) || !x)
		return 0;
	return x->eax | (uint64_t)x->edx << 32;
}

/* KVM keeps leaf 0xd's EBX (the XSAVE area for the components enabled in
 * XCR0) in step with the XCR0 it knows, and learns a new XCR0 when the
 * guest's XSETBV exits. Where XSETBV does not exit (QEMU's TCG emulating
 * SVM, the nested-KVM rig), KVM keeps the reset XCR0 (x87 only): EBX says
 * 576 bytes against the 2696 the enabled components need ("XSAVE
 * consistency problem"), and KVM loads that XCR0 at each entry, so the
 * guest's XSAVE drops its SSE and AVX state. Handing over the vCPU with
 * XCR0 already holding every component the guest may enable (a state a
 * boot loader may leave: XCR0 outlives CR4.OSXSAVE) keeps KVM's XCR0 and
 * the guest's alike when the guest enables them all, as Linux does; where
 * XSETBV exits, the guest's own XCR0 replaces it as usual. */
static int set_xcr0(int vcpu_fd, uint64_t xcr0, unsigned int apic_id,
		    char *err, size_t errlen)
{
	struct kvm_xcrs xcrs = { .nr_xcrs = 1, .xcrs = { { .xcr = 0, .value = xcr0 } } };

	if (!xcr0)
		return 0;	/* no XSAVE */
	if (ioctl(vcpu_fd, KVM_SET_XCRS, &xcrs) < 0) {
		snprintf(err, errlen, "vCPU %u: KVM_SET_XCRS (XCR0 %#llx): %s", apic_id,
			 (unsigned long long)xcr0, strerror(errno));
		return -1;
	}
	return 0;
}

int cpuid_setup_vcpu(int vcpu_fd, const struct kvm_cpuid2 *supported,
		     unsigned int apic_id, unsigned int ncpus,
		     char *err, size_t errlen)
{
	/* Each topology leaf may grow from 1 to 3 entries. */
	unsigned int max = supported->nent + CPUID_EXTRA_ENTRIES;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + max * sizeof(c->entries[0]));
	int ret;

	if (!c) {
		snprintf(err, errlen, "vCPU %u: CPUID: out of memory", apic_id);
		return -1;
	}
	c->nent = cpuid_build(supported->entries, supported->nent, c->entries,
			      apic_id, ncpus);
	ret = ioctl(vcpu_fd, KVM_SET_CPUID2, c);
	if (ret < 0)
		snprintf(err, errlen, "vCPU %u: KVM_SET_CPUID2: %s", apic_id, strerror(errno));
	free(c);
	if (ret < 0)
		return -1;
	return set_xcr0(vcpu_fd, cpuid_xcr0(supported->entries, supported->nent),
			apic_id, err, errlen);
}
