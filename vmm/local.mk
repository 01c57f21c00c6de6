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
