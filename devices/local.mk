# devices/: the sandboxed virtio device processes (vhost-user backends) on
# one shared core, devices/lib/ (devices/README.md).
# Iovec helpers, shared by the backend library and the disk formats.
noinst_LTLIBRARIES += devices/lib/libiov.la
devices_lib_libiov_la_SOURCES = devices/lib/iov.c devices/lib/iov.h

# The sandbox every confined process enters: the devices and the vmm.
noinst_LTLIBRARIES += devices/lib/libsandbox.la
devices_lib_libsandbox_la_SOURCES = \
	devices/lib/sandbox.c devices/lib/sandbox.h \
	devices/lib/seccomp_lists.c
devices_lib_libsandbox_la_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
devices_lib_libsandbox_la_LIBADD = $(SECCOMP_LIBS)

noinst_LTLIBRARIES += devices/lib/libdevice.la
devices_lib_libdevice_la_SOURCES = \
	devices/lib/guest_memory.c devices/lib/guest_memory.h \
	devices/lib/virtqueue.c devices/lib/virtqueue.h \
	devices/lib/vhost_user.c devices/lib/vhost_user.h \
	devices/lib/vhost_user_socket.c devices/lib/vhost_user_socket.h \
	devices/lib/device_main.c devices/lib/device_main.h
devices_lib_libdevice_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
devices_lib_libdevice_la_LIBADD = devices/lib/libiov.la devices/lib/libsandbox.la $(LIBEVENT_LIBS)

DEVICE_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)

# The device programs install under $(pkglibexecdir): generic names such
# as virtio-blk stay out of the shared libexec directory.
pkglibexec_PROGRAMS =
DEVICE_LDADD = devices/lib/libdevice.la

pkglibexec_PROGRAMS += devices/virtio-rng
devices_virtio_rng_SOURCES = devices/rng.c
devices_virtio_rng_CFLAGS = $(DEVICE_CFLAGS)
devices_virtio_rng_LDADD = $(DEVICE_LDADD)

pkglibexec_PROGRAMS += devices/virtio-blk
devices_virtio_blk_SOURCES = devices/blk.c
devices_virtio_blk_CFLAGS = $(DEVICE_CFLAGS)
devices_virtio_blk_LDADD = $(DEVICE_LDADD) devices/disk/libdisk.la

pkglibexec_PROGRAMS += devices/virtio-console
devices_virtio_console_SOURCES = devices/console.c
devices_virtio_console_CFLAGS = $(DEVICE_CFLAGS)
devices_virtio_console_LDADD = $(DEVICE_LDADD) $(LIBEVENT_LIBS)

# Interop: QEMU (TCG, q35) as the vhost-user frontend, Linux's drivers in the
# debian guest.
EXTRA_DIST += tests/integration/dev-qemu-lib.sh
dist_check_SCRIPTS += tests/integration/dev-qemu-blk.sh tests/integration/dev-qemu-rng.sh
TESTS += tests/integration/dev-qemu-blk.sh tests/integration/dev-qemu-rng.sh

# The sandbox seen from /proc, and forbidden syscalls killing the device;
# the same in a chroot and in a container.
EXTRA_DIST += tests/integration/dev-sandbox-lib.sh
dist_check_SCRIPTS += tests/integration/dev-sandbox.sh tests/integration/dev-sandbox-roots.sh
TESTS += tests/integration/dev-sandbox.sh tests/integration/dev-sandbox-roots.sh

# Our devices behind our vmm, the test guest under KVM: reads, entropy, and
# hostile rings ending in NEEDS_RESET.
dist_check_SCRIPTS += tests/integration/dev-vmm.sh
TESTS += tests/integration/dev-vmm.sh

# Unit tests: rings in a test-owned buffer registered as the memory table.
check_PROGRAMS += tests/unit/check_dev_virtqueue
TESTS += tests/unit/check_dev_virtqueue
tests_unit_check_dev_virtqueue_SOURCES = tests/unit/check_dev_virtqueue.c
tests_unit_check_dev_virtqueue_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_dev_virtqueue_LDADD = devices/lib/libdevice.la tests/unit/libchecktap.la $(CHECK_LIBS)

# Fuzz targets (tests/fuzz/README.md): the ring walker, the decoder with a
# hostile frontend's fds, and running queues under frontend and guest.
FUZZ_TARGETS += tests/fuzz/dev_virtqueue tests/fuzz/dev_vhost_user tests/fuzz/dev_vhost_user_queue
tests_fuzz_dev_virtqueue_SOURCES = tests/fuzz/dev_virtqueue.c
tests_fuzz_dev_virtqueue_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_dev_virtqueue_LDADD = devices/lib/libdevice.la $(FUZZ_LDADD)
tests_fuzz_dev_virtqueue_LDFLAGS = $(FUZZ_LINK_FLAGS)
FUZZ_FRONTEND_SOURCES = tests/fuzz/fuzz_frontend.c tests/fuzz/fuzz_frontend.h
tests_fuzz_dev_vhost_user_SOURCES = tests/fuzz/dev_vhost_user.c $(FUZZ_FRONTEND_SOURCES)
tests_fuzz_dev_vhost_user_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_dev_vhost_user_LDADD = devices/lib/libdevice.la $(FUZZ_LDADD)
tests_fuzz_dev_vhost_user_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_dev_vhost_user_queue_SOURCES = tests/fuzz/dev_vhost_user_queue.c $(FUZZ_FRONTEND_SOURCES)
tests_fuzz_dev_vhost_user_queue_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_dev_vhost_user_queue_LDADD = devices/lib/libdevice.la $(FUZZ_LDADD)
tests_fuzz_dev_vhost_user_queue_LDFLAGS = $(FUZZ_LINK_FLAGS)

# vhost-user descriptors (vhost-user.rst, "Backend program conventions"),
# for QEMU's and libvirt's backend discovery.
vhostuserdir = $(datadir)/qemu/vhost-user
vhostuser_DATA = devices/50-guestmgr-virtio-blk.json devices/50-guestmgr-virtio-rng.json \
	devices/50-guestmgr-virtio-console.json
EXTRA_DIST += devices/README.md devices/virtio-blk.json.in devices/virtio-rng.json.in \
	devices/virtio-console.json.in
CLEANFILES += $(vhostuser_DATA)
DEVICE_JSON_GEN = $(MKDIR_P) devices && sed -e 's|@pkglibexecdir[@]|$(pkglibexecdir)|g'
devices/50-guestmgr-virtio-blk.json: $(srcdir)/devices/virtio-blk.json.in Makefile
	$(AM_V_GEN)$(DEVICE_JSON_GEN) $(srcdir)/devices/virtio-blk.json.in >$@
devices/50-guestmgr-virtio-rng.json: $(srcdir)/devices/virtio-rng.json.in Makefile
	$(AM_V_GEN)$(DEVICE_JSON_GEN) $(srcdir)/devices/virtio-rng.json.in >$@
devices/50-guestmgr-virtio-console.json: $(srcdir)/devices/virtio-console.json.in Makefile
	$(AM_V_GEN)$(DEVICE_JSON_GEN) $(srcdir)/devices/virtio-console.json.in >$@

# virtio-console, virtio-blk and virtio-rng driven by the vmm's vhost-user
# frontend from the tests (QEMU has no vhost-user console; the blk tests
# reach the status bytes a Linux guest never provokes; the rng test also
# serves the sandbox tests as a frontend).
check_LTLIBRARIES += tests/unit/libdevfrontend.la
tests_unit_libdevfrontend_la_SOURCES = tests/unit/dev_frontend.c tests/unit/dev_frontend.h
tests_unit_libdevfrontend_la_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
DEV_FRONTEND_LDADD = tests/unit/libdevfrontend.la vmm/libvmm.la tests/unit/libchecktap.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_dev_console tests/unit/check_dev_blk \
	tests/unit/check_dev_hostile_frontend tests/unit/check_dev_rng
TESTS += tests/unit/check_dev_console tests/unit/check_dev_blk \
	tests/unit/check_dev_hostile_frontend tests/unit/check_dev_rng
tests_unit_check_dev_console_SOURCES = tests/unit/check_dev_console.c
tests_unit_check_dev_console_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_dev_console_LDADD = $(DEV_FRONTEND_LDADD)
EXTRA_tests_unit_check_dev_console_DEPENDENCIES = devices/virtio-console
tests_unit_check_dev_blk_SOURCES = tests/unit/check_dev_blk.c
tests_unit_check_dev_blk_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_dev_blk_LDADD = $(DEV_FRONTEND_LDADD)
EXTRA_tests_unit_check_dev_blk_DEPENDENCIES = devices/virtio-blk
tests_unit_check_dev_hostile_frontend_SOURCES = tests/unit/check_dev_hostile_frontend.c
tests_unit_check_dev_hostile_frontend_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_dev_hostile_frontend_LDADD = $(DEV_FRONTEND_LDADD)
EXTRA_tests_unit_check_dev_hostile_frontend_DEPENDENCIES = devices/virtio-rng
tests_unit_check_dev_rng_SOURCES = tests/unit/check_dev_rng.c
tests_unit_check_dev_rng_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_dev_rng_LDADD = $(DEV_FRONTEND_LDADD)
EXTRA_tests_unit_check_dev_rng_DEPENDENCIES = devices/virtio-rng
