# manager/man/: the man pages of guestctl(1), guestmgrd(8) and the package
# format guestmgr-package(5), in mdoc(7), with configure's paths filled in.
GM_MANS = manager/man/guestctl.1 manager/man/guestmgrd.8 manager/man/guestmgr-package.5
nodist_man_MANS = $(GM_MANS)
EXTRA_DIST += manager/man/guestctl.1.in manager/man/guestmgrd.8.in \
	manager/man/guestmgr-package.5.in
CLEANFILES += $(GM_MANS)
manager/man/guestctl.1: manager/man/guestctl.1.in Makefile
	$(AM_V_GEN)$(GM_SUBST_DIRS)
manager/man/guestmgrd.8: manager/man/guestmgrd.8.in Makefile
	$(AM_V_GEN)$(GM_SUBST_DIRS)
manager/man/guestmgr-package.5: manager/man/guestmgr-package.5.in Makefile
	$(AM_V_GEN)$(GM_SUBST_DIRS)

# They render without a warning, and name every guestctl command and
# option, every guestmgrd option and config field, every guest.json field.
dist_check_SCRIPTS += tests/integration/man-pages.sh
TESTS += tests/integration/man-pages.sh
