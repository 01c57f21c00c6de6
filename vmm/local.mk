# x86 machine description tables: ACPI (the DSDT written in ASL, compiled
# by iasl at build time) and the flattened device tree. A convenience
# library that the vmm and the unit tests link.
noinst_LTLIBRARIES += vmm/libx86tables.la
vmm_libx86tables_la_SOURCES = \
	vmm/x86/acpi.c vmm/x86/acpi.h vmm/x86/acpi_dump.c \
	vmm/x86/fdt.c vmm/x86/fdt.h \
	vmm/x86/layout.h vmm/x86/machine.h
nodist_vmm_libx86tables_la_SOURCES = vmm/x86/dsdt.hex
vmm_libx86tables_la_CFLAGS = $(AM_CFLAGS) $(FDT_CFLAGS)
vmm_libx86tables_la_LIBADD = $(FDT_LIBS)

# dsdt.asl -> dsdt.hex, the AML as a C array (iasl -tc) that acpi.c
# includes. The ASL takes its numbers from dsdt_layout.asi, which
# acpi_dsdt_gen prints from layout.h and acpi.h.
noinst_PROGRAMS += vmm/x86/acpi_dsdt_gen
vmm_x86_acpi_dsdt_gen_SOURCES = vmm/x86/acpi_dsdt_gen.c vmm/x86/acpi.h vmm/x86/layout.h
vmm/x86/dsdt_layout.asi: vmm/x86/acpi_dsdt_gen$(EXEEXT)
	$(AM_V_GEN)vmm/x86/acpi_dsdt_gen$(EXEEXT) > $@-t && mv $@-t $@
vmm/x86/dsdt.hex: vmm/x86/dsdt.asl vmm/x86/dsdt_layout.asi
	$(AM_V_GEN)$(IASL) -vs -we -I vmm/x86 -tc -p vmm/x86/dsdt $(srcdir)/vmm/x86/dsdt.asl \
		> vmm/x86/dsdt.log 2>&1 || { cat vmm/x86/dsdt.log; rm -f $@; exit 1; }
BUILT_SOURCES += vmm/x86/dsdt.hex
CLEANFILES += vmm/x86/dsdt_layout.asi vmm/x86/dsdt.hex vmm/x86/dsdt.aml vmm/x86/dsdt.log
EXTRA_DIST += vmm/x86/dsdt.asl

# guestmgr-vmm, the per-guest VMM. Everything but main() is a convenience
# library, so unit tests link the parts they check.
IPC_SCHEMAS += schemas/vmm-config.schema.json
noinst_LTLIBRARIES += vmm/libvmm.la
vmm_libvmm_la_SOURCES = \
	vmm/cmdline.c vmm/cmdline.h \
	vmm/config.c vmm/config.h \
	vmm/confine.c vmm/confine.h \
	vmm/control.c vmm/control.h \
	vmm/exit_status.h \
	vmm/guest_mem.c vmm/guest_mem.h \
	vmm/i8042.c vmm/i8042.h \
	vmm/image_file.c vmm/image_file.h \
	vmm/io_bus.c vmm/io_bus.h \
	vmm/kvm.c vmm/kvm.h \
	vmm/kvm_routes.c vmm/kvm_routes.h \
	vmm/pci/bus.c vmm/pci/bus.h \
	vmm/pci/config_space.c vmm/pci/config_space.h \
	vmm/pci/msix.c vmm/pci/msix.h \
	vmm/run_loop.c vmm/run_loop.h \
	vmm/seccomp_lists.c vmm/seccomp_lists.h \
	vmm/serial.c vmm/serial.h \
	vmm/serial_input.c vmm/serial_input.h \
	vmm/vcpu.c vmm/vcpu.h \
	vmm/vm.c vmm/vm.h \
	vmm/virtio/common_cfg.c vmm/virtio/common_cfg.h \
	vmm/virtio/pci_transport.c vmm/virtio/pci_transport.h \
	vmm/virtio/vhost_user_frontend.c vmm/virtio/vhost_user_frontend.h \
	vmm/vm_stop.c vmm/vm_stop.h \
	vmm/x86/boot.c vmm/x86/boot.h \
	vmm/x86/boot_bzimage.c vmm/x86/boot_bzimage.h \
	vmm/x86/boot_cpu.c vmm/x86/boot_cpu.h \
	vmm/x86/boot_pvh.c vmm/x86/boot_pvh.h vmm/x86/pvh.h \
	vmm/x86/cpuid.c vmm/x86/cpuid.h \
	vmm/x86/e820.c vmm/x86/e820.h \
	vmm/x86/elf.c vmm/x86/elf.h \
	vmm/x86/ged.c vmm/x86/ged.h \
	vmm/x86/machine.c \
	vmm/x86/msr.c vmm/x86/msr.h \
	vmm/x86/page_tables.c vmm/x86/page_tables.h \
	vmm/x86/sleep_ctl.c vmm/x86/sleep_ctl.h \
	vmm/x86/vcpu_report.c vmm/x86/vcpu_report.h
VMM_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(FDT_CFLAGS)
vmm_libvmm_la_CFLAGS = $(VMM_CFLAGS)
vmm_libvmm_la_LIBADD = vmm/libx86tables.la ipc/libipc.la devices/lib/libsandbox.la \
	$(LIBEVENT_LIBS) $(JANSSON_LIBS) $(FDT_LIBS) -lpthread

EXTRA_DIST += vmm/README.md
libexec_PROGRAMS += vmm/guestmgr-vmm
vmm_guestmgr_vmm_SOURCES = vmm/main.c
vmm_guestmgr_vmm_CFLAGS = $(VMM_CFLAGS)
vmm_guestmgr_vmm_LDADD = vmm/libvmm.la

# PCI bus, MSI-X and the virtio-pci transport without KVM.
check_PROGRAMS += tests/unit/check_vmm_pci
TESTS += tests/unit/check_vmm_pci
tests_unit_check_vmm_pci_SOURCES = tests/unit/check_vmm_pci.c
tests_unit_check_vmm_pci_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_vmm_pci_LDADD = vmm/libvmm.la tests/unit/libchecktap.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_vmm_virtio
TESTS += tests/unit/check_vmm_virtio
tests_unit_check_vmm_virtio_SOURCES = tests/unit/check_vmm_virtio.c
tests_unit_check_vmm_virtio_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_vmm_virtio_LDADD = vmm/libvmm.la tests/unit/libchecktap.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_vmm_vhost_user
TESTS += tests/unit/check_vmm_vhost_user
tests_unit_check_vmm_vhost_user_SOURCES = tests/unit/check_vmm_vhost_user.c
tests_unit_check_vmm_vhost_user_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_vmm_vhost_user_LDADD = vmm/libvmm.la tests/unit/libchecktap.la $(CHECK_LIBS)

# The vmm with QEMU's vhost-user-blk backend (qemu-storage-daemon).
dist_check_SCRIPTS += tests/integration/vmm-vhost-user.sh
TESTS += tests/integration/vmm-vhost-user.sh
# The vmm with the project's own device processes (devices/).
dist_check_SCRIPTS += tests/integration/vmm-devices.sh
TESTS += tests/integration/vmm-devices.sh
