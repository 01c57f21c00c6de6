# manager/: guestmgrd, the supervising daemon, and guestctl, its client.
MANAGER_DIRS_CPPFLAGS = -DSYSCONFDIR='"$(sysconfdir)"' -DDATADIR='"$(datadir)"' \
	-DLOCALSTATEDIR='"$(localstatedir)"' -DRUNSTATEDIR='"$(runstatedir)"' \
	-DLIBEXECDIR='"$(libexecdir)"' -DPKGLIBEXECDIR='"$(pkglibexecdir)"'
IPC_SCHEMAS += schemas/guest-config.schema.json schemas/guestmgrd.schema.json

# The daemon's code as a library, so unit tests and the fuzz target link
# the parts they test; main.c makes it a program.
noinst_LTLIBRARIES += manager/guestmgrd/libguestmgrd.la
manager_guestmgrd_libguestmgrd_la_SOURCES = \
	manager/guestmgrd/daemon.c manager/guestmgrd/daemon.h \
	manager/guestmgrd/daemon_config.c manager/guestmgrd/daemon_config.h \
	manager/guestmgrd/log.c manager/guestmgrd/log.h \
	manager/guestmgrd/package.c manager/guestmgrd/package.h \
	manager/guestmgrd/launch_plan.c manager/guestmgrd/launch_plan.h \
	manager/guestmgrd/launch.c manager/guestmgrd/launch.h \
	manager/guestmgrd/guest.c manager/guestmgrd/guest.h \
	manager/guestmgrd/lifecycle.c manager/guestmgrd/lifecycle.h \
	manager/guestmgrd/run.c manager/guestmgrd/run.h \
	manager/guestmgrd/child.c manager/guestmgrd/child.h \
	manager/guestmgrd/stream_hub.c manager/guestmgrd/stream_hub.h \
	manager/guestmgrd/storage.c manager/guestmgrd/storage.h \
	manager/guestmgrd/problems.c manager/guestmgrd/problems.h \
	manager/guestmgrd/server.c manager/guestmgrd/server.h \
	manager/guestmgrd/request.c manager/guestmgrd/request.h \
	manager/guestmgrd/request_decode.c manager/guestmgrd/request_decode.h \
	manager/guestmgrd/api.h \
	manager/guestmgrd/api_guest_manager.c \
	manager/guestmgrd/api_guest.c \
	manager/guestmgrd/api_daemon.c \
	manager/guestmgrd/api_realm.c
manager_guestmgrd_libguestmgrd_la_CPPFLAGS = $(AM_CPPFLAGS) $(MANAGER_DIRS_CPPFLAGS)
manager_guestmgrd_libguestmgrd_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) \
	$(SYSTEMD_CFLAGS)
manager_guestmgrd_libguestmgrd_la_LIBADD = ipc/libipc.la $(LIBEVENT_LIBS) $(JANSSON_LIBS) \
	$(SYSTEMD_LIBS)

sbin_PROGRAMS += manager/guestmgrd/guestmgrd
manager_guestmgrd_guestmgrd_SOURCES = manager/guestmgrd/main.c
manager_guestmgrd_guestmgrd_CPPFLAGS = $(AM_CPPFLAGS) $(MANAGER_DIRS_CPPFLAGS)
manager_guestmgrd_guestmgrd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(SYSTEMD_CFLAGS)
manager_guestmgrd_guestmgrd_LDADD = manager/guestmgrd/libguestmgrd.la

bin_PROGRAMS += manager/guestctl/guestctl
manager_guestctl_guestctl_SOURCES = \
	manager/guestctl/main.c manager/guestctl/guestctl.h \
	manager/guestctl/client.c manager/guestctl/client.h \
	manager/guestctl/launch_options.c \
	manager/guestctl/attach.c manager/guestctl/attach.h \
	manager/guestctl/cmd_launch.c \
	manager/guestctl/cmd_stop.c \
	manager/guestctl/cmd_list.c \
	manager/guestctl/cmd_info.c \
	manager/guestctl/cmd_serial.c \
	manager/guestctl/cmd_console.c \
	manager/guestctl/cmd_wipe.c \
	manager/guestctl/cmd_events.c \
	manager/guestctl/cmd_status.c \
	manager/guestctl/cmd_metrics.c \
	manager/guestctl/cmd_realm.c
manager_guestctl_guestctl_CPPFLAGS = $(AM_CPPFLAGS) $(MANAGER_DIRS_CPPFLAGS)
manager_guestctl_guestctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
manager_guestctl_guestctl_LDADD = ipc/libipc.la devices/disk/libdisk.la $(JANSSON_LIBS)

# The request decoder, fuzzed (tests/fuzz/README.md).
FUZZ_TARGETS += tests/fuzz/gm_request
tests_fuzz_gm_request_SOURCES = tests/fuzz/gm_request.c
tests_fuzz_gm_request_CFLAGS = $(FUZZ_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_gm_request_LDADD = manager/guestmgrd/libguestmgrd.la $(FUZZ_LDADD)
tests_fuzz_gm_request_LDFLAGS = $(FUZZ_LINK_FLAGS)

# Integration tests (need no KVM unless they say so): malformed requests.
EXTRA_DIST += tests/integration/manager-lib.sh
check_PROGRAMS += tests/integration/gm-raw
tests_integration_gm_raw_SOURCES = tests/integration/gm-raw.c
dist_check_SCRIPTS += tests/integration/manager-protocol.sh tests/integration/manager-access.sh \
	tests/integration/manager-cli.sh tests/integration/manager-guests.sh \
	tests/integration/manager-vmm-sandbox.sh
TESTS += tests/integration/manager-protocol.sh tests/integration/manager-access.sh \
	tests/integration/manager-cli.sh tests/integration/manager-guests.sh \
	tests/integration/manager-vmm-sandbox.sh

# Unit tests: merging a package's config with Launch overrides.
check_PROGRAMS += tests/unit/check_manager_launch_plan
TESTS += tests/unit/check_manager_launch_plan
tests_unit_check_manager_launch_plan_SOURCES = tests/unit/check_manager_launch_plan.c
tests_unit_check_manager_launch_plan_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_check_manager_launch_plan_LDADD = manager/guestmgrd/libguestmgrd.la \
	tests/unit/libchecktap.la $(CHECK_LIBS)
