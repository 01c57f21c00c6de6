# testguest: the freestanding x86-64 guest the tests and benchmarks boot.
# It has its own compile and link rule instead of automake's program
# machinery, so the host's CFLAGS, sanitizers and libraries never reach it.
# The whole guest is compiled in one compiler run: it is small, and this
# needs no pattern rules.

TG_CC_FLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-fcf-protection=none -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-I$(srcdir)/testguest -I$(srcdir)
TG_LD_FLAGS = -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,-T,$(srcdir)/testguest/link.ld

TG_ASM = \
	testguest/entry.S \
	testguest/isr.S \
	testguest/trampoline.S
TG_C = \
	testguest/acpi.c \
	testguest/bootinfo.c \
	testguest/cmdline.c \
	testguest/console.c \
	testguest/crc32.c \
	testguest/fdt.c \
	testguest/format.c \
	testguest/idt.c \
	testguest/ioapic.c \
	testguest/lapic.c \
	testguest/libc.c \
	testguest/machine.c \
	testguest/main.c \
	testguest/pci.c \
	testguest/power_button.c \
	testguest/report.c \
	testguest/smp.c \
	testguest/timer.c \
	testguest/uart.c \
	testguest/virtio/blk.c \
	testguest/virtio/virtio.c \
	testguest/scenarios/table.c \
	testguest/scenarios/acpi.c \
	testguest/scenarios/boot.c \
	testguest/scenarios/dtb.c \
	testguest/scenarios/echo.c \
	testguest/scenarios/fault.c \
	testguest/scenarios/irq.c \
	testguest/scenarios/smp.c \
	testguest/scenarios/pci.c \
	testguest/scenarios/blk.c \
	testguest/scenarios/rng.c \
	testguest/scenarios/console.c \
	testguest/scenarios/badring.c
TG_H = \
	testguest/acpi.h \
	testguest/arch.h \
	testguest/bootinfo.h \
	testguest/cmdline.h \
	testguest/console.h \
	testguest/crc32.h \
	testguest/fdt.h \
	testguest/format.h \
	testguest/idt.h \
	testguest/ioapic.h \
	testguest/lapic.h \
	testguest/libc.h \
	testguest/machine.h \
	testguest/pci.h \
	testguest/power_button.h \
	testguest/report.h \
	testguest/smp.h \
	testguest/timer.h \
	testguest/uart.h \
	testguest/virtio/blk.h \
	testguest/virtio/virtio.h \
	testguest/scenarios/scenario.h
# Read, not owned: the machine layout the vmm builds (listed for
# dependencies and for the tarball; a second listing elsewhere is harmless).
TG_SHARED_H = vmm/x86/layout.h vmm/x86/pvh.h vmm/x86/acpi.h vmm/x86/machine.h

# Prerequisites are found through VPATH in out-of-tree builds.
testguest/testguest: $(TG_ASM) $(TG_C) $(TG_H) $(TG_SHARED_H) testguest/link.ld
	@$(MKDIR_P) testguest
	$(AM_V_GEN)srcs=; for f in $(TG_ASM) $(TG_C); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(TESTGUEST_CC) $(TG_CC_FLAGS) $(TG_LD_FLAGS) -o $@ $$srcs

all-local: testguest/testguest
CLEANFILES += testguest/testguest
EXTRA_DIST += $(TG_ASM) $(TG_C) $(TG_H) $(TG_SHARED_H) testguest/link.ld testguest/README.md

# Its PCI and virtio scenarios against QEMU q35's own virtio devices; the
# helpers it shares with tests/integration/testguest-qemu.sh.
dist_check_SCRIPTS += tests/integration/testguest-qemu-virtio.sh
TESTS += tests/integration/testguest-qemu-virtio.sh
EXTRA_DIST += tests/integration/testguest-lib.sh

# The `testguest` guest package: guest.json (it checks its machine, then
# answers on COM1 until stopped) and the guest, in the build tree's
# out/packages/testguest, installed with the others (scripts/local.mk).
testguestpkgdir = $(guestpackagesdir)/testguest
testguestpkg_DATA = out/packages/testguest/guest.json out/packages/testguest/testguest
out/packages/testguest/guest.json: testguest/guest.json
	$(AM_V_GEN)$(MKDIR_P) out/packages/testguest && cp $(srcdir)/testguest/guest.json $@
out/packages/testguest/testguest: testguest/testguest
	$(AM_V_GEN)$(MKDIR_P) out/packages/testguest && cp testguest/testguest $@
CLEANFILES += $(testguestpkg_DATA)
EXTRA_DIST += testguest/guest.json
