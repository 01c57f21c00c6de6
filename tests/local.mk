EXTRA_DIST += tests/lib.sh

# Shared main for the Check unit tests (TAP output).
check_LTLIBRARIES = tests/unit/libchecktap.la
tests_unit_libchecktap_la_SOURCES = tests/unit/check_tap.c tests/unit/check_tap.h
tests_unit_libchecktap_la_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_libchecktap_la_LIBADD = $(CHECK_LIBS)

# The guest packages as built and as installed; launched through guestmgrd
# (KVM). schema-check validates files against the compiled-in schemas.
check_PROGRAMS += tests/integration/schema-check
tests_integration_schema_check_SOURCES = tests/integration/schema-check.c
tests_integration_schema_check_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_integration_schema_check_LDADD = ipc/libipc.la $(JANSSON_LIBS)
dist_check_SCRIPTS += tests/integration/guest-packages.sh tests/integration/guest-packages-launch.sh
TESTS += tests/integration/guest-packages.sh tests/integration/guest-packages-launch.sh

# Boots the debian guest package under QEMU TCG; the package it builds (or
# reuses) lives in the build tree (scripts/local.mk: debian-package).
dist_check_SCRIPTS += tests/integration/debian-qemu.sh
TESTS += tests/integration/debian-qemu.sh

# x86 machine tables (vmm/libx86tables.la): ACPI and the device tree, read
# back as a guest reads them; the vmm's tables disassembled by iasl.
check_PROGRAMS += tests/unit/check_acpi tests/unit/check_fdt
TESTS += tests/unit/check_acpi tests/unit/check_fdt
tests_unit_check_acpi_SOURCES = tests/unit/check_acpi.c
tests_unit_check_acpi_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_acpi_LDADD = vmm/libx86tables.la tests/unit/libchecktap.la $(CHECK_LIBS)
tests_unit_check_fdt_SOURCES = tests/unit/check_fdt.c
tests_unit_check_fdt_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(FDT_CFLAGS)
tests_unit_check_fdt_LDADD = vmm/libx86tables.la tests/unit/libchecktap.la $(CHECK_LIBS) $(FDT_LIBS)
dist_check_SCRIPTS += tests/integration/acpi-iasl.sh
TESTS += tests/integration/acpi-iasl.sh

# testguest under QEMU microvm with KVM: every scenario QEMU can run.
dist_check_SCRIPTS += tests/integration/testguest-qemu.sh
TESTS += tests/integration/testguest-qemu.sh

# The vmm: unit tests of its pure parts, and the test guest booted on it.
VMM_CHECK_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
VMM_CHECK_LDADD = vmm/libvmm.la tests/unit/libchecktap.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_vmm_boot tests/unit/check_vmm_cpuid tests/unit/check_vmm_devices \
	tests/unit/check_vmm_config tests/unit/check_vmm_control
TESTS += tests/unit/check_vmm_boot tests/unit/check_vmm_cpuid tests/unit/check_vmm_devices \
	tests/unit/check_vmm_config tests/unit/check_vmm_control
tests_unit_check_vmm_boot_SOURCES = tests/unit/check_vmm_boot.c
tests_unit_check_vmm_boot_CFLAGS = $(VMM_CHECK_CFLAGS)
tests_unit_check_vmm_boot_LDADD = $(VMM_CHECK_LDADD)
tests_unit_check_vmm_cpuid_SOURCES = tests/unit/check_vmm_cpuid.c
tests_unit_check_vmm_cpuid_CFLAGS = $(VMM_CHECK_CFLAGS)
tests_unit_check_vmm_cpuid_LDADD = $(VMM_CHECK_LDADD)
tests_unit_check_vmm_devices_SOURCES = tests/unit/check_vmm_devices.c
tests_unit_check_vmm_devices_CFLAGS = $(VMM_CHECK_CFLAGS)
tests_unit_check_vmm_devices_LDADD = $(VMM_CHECK_LDADD)
tests_unit_check_vmm_config_SOURCES = tests/unit/check_vmm_config.c
tests_unit_check_vmm_config_CFLAGS = $(VMM_CHECK_CFLAGS)
tests_unit_check_vmm_config_LDADD = $(VMM_CHECK_LDADD)
tests_unit_check_vmm_control_SOURCES = tests/unit/check_vmm_control.c
tests_unit_check_vmm_control_CFLAGS = $(VMM_CHECK_CFLAGS)
tests_unit_check_vmm_control_LDADD = $(VMM_CHECK_LDADD)
check_PROGRAMS += tests/integration/vmm-send-config
tests_integration_vmm_send_config_SOURCES = tests/integration/vmm-send-config.c
tests_integration_vmm_send_config_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_integration_vmm_send_config_LDADD = ipc/libipc.la $(JANSSON_LIBS)
# A preload shim that slows every new thread's start and says when each
# first enters KVM_RUN (vmm-control.sh), built as a plain shared object as
# bench/kvm-run-trace.so is.
check_DATA += tests/integration/vcpu-entry-probe.so
tests/integration/vcpu-entry-probe.so: tests/integration/vcpu-entry-probe.c
	$(AM_V_CC)$(MKDIR_P) tests/integration && \
	$(CC) $(WARN_CFLAGS) -O2 -shared -fPIC -o $@ $(srcdir)/tests/integration/vcpu-entry-probe.c -ldl
CLEANFILES += tests/integration/vcpu-entry-probe.so
EXTRA_DIST += tests/integration/vmm-lib.sh tests/integration/vcpu-entry-probe.c
dist_check_SCRIPTS += tests/integration/vmm-boot.sh tests/integration/vmm-serial.sh \
	tests/integration/vmm-stop.sh tests/integration/vmm-config.sh tests/integration/vmm-control.sh \
	tests/integration/vmm-sandbox.sh tests/integration/vmm-sandbox-roots.sh
TESTS += tests/integration/vmm-boot.sh tests/integration/vmm-serial.sh \
	tests/integration/vmm-stop.sh tests/integration/vmm-config.sh tests/integration/vmm-control.sh \
	tests/integration/vmm-sandbox.sh tests/integration/vmm-sandbox-roots.sh
# Linux (the debian package) on the vmm with every device; in the nested-KVM
# rig where the host's KVM cannot run Linux.
EXTRA_DIST += tests/integration/vmm-linux-guest.sh
dist_check_SCRIPTS += tests/integration/vmm-linux.sh
TESTS += tests/integration/vmm-linux.sh

EXTRA_DIST += tests/debian-package.sh
