# devices/disk/: disk image formats (raw, qcow2) and modes (read-only,
# volatile) behind devices/disk/disk.h, for virtio-blk. The formats know
# nothing of virtio.
noinst_LTLIBRARIES += devices/disk/libdisk.la
EXTRA_DIST += devices/disk/README.md
devices_disk_libdisk_la_SOURCES = \
	devices/disk/disk.c devices/disk/disk.h devices/disk/disk_impl.h \
	devices/disk/file_io.c devices/disk/file_io.h \
	devices/disk/backing.c \
	devices/disk/raw.c \
	devices/disk/volatile.c \
	devices/disk/qcow2.c devices/disk/qcow2.h \
	devices/disk/qcow2_open.c \
	devices/disk/qcow2_backing.c \
	devices/disk/qcow2_header.c \
	devices/disk/qcow2_cache.c \
	devices/disk/qcow2_commit.c \
	devices/disk/qcow2_refcount.c
devices_disk_libdisk_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
devices_disk_libdisk_la_LIBADD = devices/lib/libiov.la $(ZLIB_LIBS)

# Tests: unit tests of each format and mode, and shell tests against the
# real qemu-img through disk-tool (tests/integration/disk-tool.c).
DISK_CHECK_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
DISK_CHECK_LDADD = devices/disk/libdisk.la tests/unit/libchecktap.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_disk_raw tests/unit/check_disk_qcow2
TESTS += tests/unit/check_disk_raw tests/unit/check_disk_qcow2
tests_unit_check_disk_raw_SOURCES = tests/unit/check_disk_raw.c
tests_unit_check_disk_raw_CFLAGS = $(DISK_CHECK_CFLAGS)
tests_unit_check_disk_raw_LDADD = $(DISK_CHECK_LDADD)
tests_unit_check_disk_qcow2_SOURCES = tests/unit/check_disk_qcow2.c
tests_unit_check_disk_qcow2_CFLAGS = $(DISK_CHECK_CFLAGS)
tests_unit_check_disk_qcow2_LDADD = $(DISK_CHECK_LDADD)

check_PROGRAMS += tests/integration/disk-tool
tests_integration_disk_tool_SOURCES = tests/integration/disk-tool.c
tests_integration_disk_tool_LDADD = devices/disk/libdisk.la
dist_check_SCRIPTS += tests/integration/disk-qcow2.sh tests/integration/disk-modes.sh \
	tests/integration/disk-backing.sh tests/integration/disk-qcow2-order.sh
TESTS += tests/integration/disk-qcow2.sh tests/integration/disk-modes.sh \
	tests/integration/disk-backing.sh tests/integration/disk-qcow2-order.sh

# Fuzz target for the QCOW2 metadata parser (tests/fuzz/README.md).
FUZZ_TARGETS += tests/fuzz/qcow2_open
tests_fuzz_qcow2_open_SOURCES = tests/fuzz/qcow2_open.c
tests_fuzz_qcow2_open_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_qcow2_open_LDADD = devices/disk/libdisk.la $(FUZZ_LDADD)
tests_fuzz_qcow2_open_LDFLAGS = $(FUZZ_LINK_FLAGS)
