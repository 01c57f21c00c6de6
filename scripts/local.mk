# Scripts are run from the source tree, not built: ship them in the tarball.
EXTRA_DIST += \
	scripts/setup.sh \
	scripts/build.sh \
	scripts/run-tests.sh \
	scripts/demo.sh \
	scripts/build-debian-guest.sh \
	scripts/debian-guest/init \
	scripts/debian-guest/extract-vmlinux.sh \
	scripts/debian-guest/module-order.sh
