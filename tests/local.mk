EXTRA_DIST += tests/lib.sh

# Shared main for the Check unit tests (TAP output).
check_LTLIBRARIES = tests/unit/libchecktap.la
tests_unit_libchecktap_la_SOURCES = tests/unit/check_tap.c tests/unit/check_tap.h
tests_unit_libchecktap_la_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_libchecktap_la_LIBADD = $(CHECK_LIBS)

# Boots the debian guest package under QEMU TCG; the package it builds (or
# reuses) lives in the build tree.
dist_check_SCRIPTS += tests/integration/debian-qemu.sh
TESTS += tests/integration/debian-qemu.sh
CLEANFILES += out/debian/vmlinuz out/debian/vmlinux out/debian/initrd.img out/debian/debian.json
