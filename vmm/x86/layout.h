/* The guest-physical memory map and fixed I/O resources of the x86-64 machine.
 * One place, read by the boot loaders, the ACPI and device-tree builders,
 * the e820 map and the test guest's expectations. */
#ifndef VMM_X86_LAYOUT_H
#define VMM_X86_LAYOUT_H

/* Low memory (below 1 MiB). 0x1000-0x5fff is left to the guest (the test
 * guest puts its AP start-up trampoline there). */
#define LAYOUT_BOOT_GDT		0x500ULL	/* GDT the vmm enters the kernel with */
#define LAYOUT_PVH_START_INFO	0x6000ULL	/* struct hvm_start_info + memmap + modlist */
#define LAYOUT_ZERO_PAGE	0x7000ULL	/* Linux boot_params (bzImage boot) */
#define LAYOUT_PML4		0x9000ULL	/* identity-map page tables: PML4, PDPT, 4 PDs */
#define LAYOUT_PDPT		0xa000ULL
#define LAYOUT_PD		0xb000ULL	/* 4 pages: 4 GiB in 2 MiB pages */
#define LAYOUT_CMDLINE		0x20000ULL
#define LAYOUT_CMDLINE_MAX	2048		/* Linux x86 COMMAND_LINE_SIZE, with the NUL */
#define LAYOUT_SETUP_DATA	0x30000ULL	/* setup_data chain (SETUP_DTB) / PVH dtb module */
#define LAYOUT_SETUP_DATA_MAX	0x60000ULL	/* up to 0x90000 */
#define LAYOUT_LOW_RAM_END	0x9fc00ULL	/* e820 RAM ends here; EBDA/BIOS area above */
#define LAYOUT_ACPI_BASE	0xe0000ULL	/* RSDP first, then the tables */
#define LAYOUT_ACPI_SIZE	0x20000ULL
#define LAYOUT_HIGH_RAM		0x100000ULL	/* 1 MiB: kernels load here */

/* The 32-bit hole: PCI MMIO, ECAM, IOAPIC, LAPIC. RAM beyond what fits
 * below it continues at 4 GiB. */
#define LAYOUT_MMIO_HOLE	0xc0000000ULL
#define LAYOUT_PCI_MMIO32_BASE	0xc0000000ULL
#define LAYOUT_PCI_MMIO32_SIZE	0x20000000ULL
#define LAYOUT_PCI_ECAM_BASE	0xe0000000ULL	/* bus 0 only: 1 MiB */
#define LAYOUT_PCI_ECAM_SIZE	0x100000ULL
#define LAYOUT_IOAPIC		0xfec00000ULL
#define LAYOUT_LAPIC		0xfee00000ULL
/* KVM's own pages in the hole (VMX real-mode TSS: 3 pages; EPT identity
 * map: 1 page); the guest sees nothing there. */
#define LAYOUT_KVM_IDENTITY_MAP	0xfeffc000ULL
#define LAYOUT_KVM_TSS		0xfeffd000ULL
#define LAYOUT_HIGH_MEM		0x100000000ULL
/* 64-bit PCI window, fixed so the build-time DSDT can state it. Guest RAM
 * may therefore reach at most LAYOUT_PCI_MMIO64_BASE. */
#define LAYOUT_PCI_MMIO64_BASE	0x8000000000ULL	/* 512 GiB */
#define LAYOUT_PCI_MMIO64_SIZE	0x8000000000ULL

/* I/O ports and interrupt lines. */
#define LAYOUT_COM1_PORT	0x3f8
#define LAYOUT_COM1_GSI		4
#define LAYOUT_I8042_PORT	0x60		/* data 0x60, command/status 0x64 */
#define LAYOUT_ACPI_SLEEP_PORT	0x3c0		/* FADT sleep control (write) / status (read) */
#define LAYOUT_GED_PORT		0x3c1		/* the DSDT's Generic Event Device: events (read) */
#define LAYOUT_GED_GSI		5		/* its interrupt: level, active high */
#define LAYOUT_PCI_CONFIG_PORT	0xcf8		/* configuration mechanism #1: 0xcf8-0xcff */
#define LAYOUT_PCI_IO_BASE	0xc000
#define LAYOUT_PCI_IO_SIZE	0x4000
#define LAYOUT_IOAPIC_PINS	24

#define LAYOUT_MAX_CPUS		64

#endif
