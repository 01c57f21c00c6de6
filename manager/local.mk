# manager/: guestmgrd, the supervising daemon, and guestctl, its client.
MANAGER_DIRS_CPPFLAGS = -DSYSCONFDIR='"$(sysconfdir)"' -DDATADIR='"$(datadir)"' \
	-DLOCALSTATEDIR='"$(localstatedir)"' -DRUNSTATEDIR='"$(runstatedir)"' \
	-DLIBEXECDIR='"$(libexecdir)"' -DPKGLIBEXECDIR='"$(pkglibexecdir)"'
IPC_SCHEMAS += schemas/guest-config.schema.json schemas/guestmgrd.schema.json

sbin_PROGRAMS += manager/guestmgrd/guestmgrd
manager_guestmgrd_guestmgrd_SOURCES = \
	manager/guestmgrd/main.c \
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
	manager/guestmgrd/api.h \
	manager/guestmgrd/api_guest_manager.c \
	manager/guestmgrd/api_guest.c \
	manager/guestmgrd/api_daemon.c \
	manager/guestmgrd/api_realm.c
manager_guestmgrd_guestmgrd_CPPFLAGS = $(AM_CPPFLAGS) $(MANAGER_DIRS_CPPFLAGS)
manager_guestmgrd_guestmgrd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(SYSTEMD_CFLAGS)
manager_guestmgrd_guestmgrd_LDADD = ipc/libipc.la $(LIBEVENT_LIBS) $(JANSSON_LIBS) $(SYSTEMD_LIBS)

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
manager_guestctl_guestctl_LDADD = ipc/libipc.la $(JANSSON_LIBS)
