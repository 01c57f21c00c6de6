# Scripts are run from the source tree, not built: ship them in the tarball.
EXTRA_DIST += \
	scripts/setup.sh \
	scripts/build.sh \
	scripts/run-tests.sh \
	scripts/demo.sh \
	scripts/build-debian-guest.sh \
	scripts/debian-guest/init \
	scripts/debian-guest/power-button \
	scripts/debian-guest/extract-vmlinux.sh \
	scripts/debian-guest/module-order.sh \
	scripts/debian-guest/debs.sh

# Guest packages (NAME/guest.json, schemas/guest-config.schema.json, plus
# the files it names) are installed where guestmgrd looks for them.
guestpackagesdir = $(datadir)/guestmgr/packages

# The `debian` package needs Debian's kernel and busybox packages (fetched
# once with apt-get, then cached): `make` does not build it, `make
# debian-package` does, into the build tree, where the tests build it too.
# `make install` installs it when it is there, and says so when not.
DEBIAN_PACKAGE = out/packages/debian
# What is installed: guest.json and the files it names (the package also
# holds vmlinux, the uncompressed kernel, which it does not name).
DEBIAN_PACKAGE_FILES = guest.json vmlinuz initrd.img
debian-package:
	$(SHELL) $(srcdir)/scripts/build-debian-guest.sh $(DEBIAN_PACKAGE)
install-data-local: install-debian-package
install-debian-package:
	@if test -f $(DEBIAN_PACKAGE)/guest.json; then \
	  echo " $(MKDIR_P) '$(DESTDIR)$(guestpackagesdir)/debian'"; \
	  $(MKDIR_P) '$(DESTDIR)$(guestpackagesdir)/debian' || exit 1; \
	  for f in $(DEBIAN_PACKAGE_FILES); do \
	    echo " $(INSTALL_DATA) $(DEBIAN_PACKAGE)/$$f '$(DESTDIR)$(guestpackagesdir)/debian'"; \
	    $(INSTALL_DATA) $(DEBIAN_PACKAGE)/$$f '$(DESTDIR)$(guestpackagesdir)/debian' || exit 1; \
	  done; \
	else \
	  echo "guest package 'debian' not installed: $(DEBIAN_PACKAGE) is not built ('make debian-package' builds it)"; \
	fi
uninstall-local: uninstall-debian-package
uninstall-debian-package:
	for f in $(DEBIAN_PACKAGE_FILES); do rm -f '$(DESTDIR)$(guestpackagesdir)/debian'/$$f; done
	-rmdir '$(DESTDIR)$(guestpackagesdir)/debian'
clean-local: clean-debian-package
clean-debian-package:
	rm -rf $(DEBIAN_PACKAGE)
.PHONY: debian-package install-debian-package uninstall-debian-package clean-debian-package
