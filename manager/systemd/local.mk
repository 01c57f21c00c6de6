# manager/systemd/: guestmgrd's systemd units (socket activation, the
# hardening each line of guestmgrd.service explains). Built whatever
# configure found, since the tests check them; installed in
# $(systemdsystemunitdir) unless configured --without-systemdsystemunitdir.
GM_UNITS = manager/systemd/guestmgrd.service manager/systemd/guestmgrd.socket \
	manager/systemd/guestmgrd-ro.socket
EXTRA_DIST += manager/systemd/guestmgrd.service.in manager/systemd/guestmgrd.socket.in \
	manager/systemd/guestmgrd-ro.socket.in
CLEANFILES += $(GM_UNITS)
if INSTALL_SYSTEMD_UNITS
systemdsystemunit_DATA = $(GM_UNITS)
else
noinst_DATA += $(GM_UNITS)
endif
manager/systemd/guestmgrd.service: manager/systemd/guestmgrd.service.in Makefile
	$(AM_V_GEN)$(GM_SUBST_DIRS)
manager/systemd/guestmgrd.socket: manager/systemd/guestmgrd.socket.in Makefile
	$(AM_V_GEN)$(GM_SUBST_DIRS)
manager/systemd/guestmgrd-ro.socket: manager/systemd/guestmgrd-ro.socket.in Makefile
	$(AM_V_GEN)$(GM_SUBST_DIRS)

# The units' ReadWritePaths= names the state directory: it must exist.
install-data-local: install-guestmgr-state-dir
install-guestmgr-state-dir:
	$(MKDIR_P) '$(DESTDIR)$(localstatedir)/lib/guestmgr'
.PHONY: install-guestmgr-state-dir

# make distcheck installs under its own prefix, systemd's directory too.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir=$$dc_install_base/$(systemdsystemunitdir)

# systemd-analyze verify on the units; the daemon socket-activated as
# systemd would start it (systemd-socket-activate), its notifications to a
# NOTIFY_SOCKET the test owns (notify-recv), in the units' capability set;
# the unit's capabilities, namespaces and system calls against what the
# daemon and the devices use.
check_PROGRAMS += tests/integration/notify-recv
tests_integration_notify_recv_SOURCES = tests/integration/notify-recv.c
dist_check_SCRIPTS += tests/integration/systemd-units.sh tests/integration/systemd-activation.sh \
	tests/integration/systemd-hardening.sh
TESTS += tests/integration/systemd-units.sh tests/integration/systemd-activation.sh \
	tests/integration/systemd-hardening.sh

# Opt-in: the units under a real systemd, booted in a container
# (systemd-nspawn) on an overlay of the host's root; needs root.
EXTRA_DIST += tests/systemd/nspawn-boot.sh
check-systemd: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	bindir='$(bindir)' sysconfdir='$(sysconfdir)' runstatedir='$(runstatedir)' \
	pkglibexecdir='$(pkglibexecdir)' systemdsystemunitdir='$(systemdsystemunitdir)' \
		$(SHELL) $(top_srcdir)/tests/systemd/nspawn-boot.sh
.PHONY: check-systemd
