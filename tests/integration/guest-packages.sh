#!/bin/sh
# The guest packages as built (out/packages/NAME in the build tree) and as
# `make install` installs them: each guest.json conforms to
# schemas/guest-config.schema.json and every file it names is in the
# package; the debian package (it needs a download: `make
# debian-package`) is installed when built and skipped with a word when
# not; without KVM, guestmgrd takes both configs and fails the launch only
# at /dev/kvm. guest-packages-launch.sh runs them through guestmgrd under KVM.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"

command -v jq >/dev/null || tap_skip_all "jq is not installed (scripts/setup.sh)"
schema_check=$top_builddir/tests/integration/schema-check
gm_setup

# package_ok DIR: DIR/guest.json conforms and names only files DIR has.
package_ok() {
	"$schema_check" guest-config "$1/guest.json" > "$tmp/check.out" || {
		tap_diag "$(cat "$tmp/check.out")"
		return 1
	}
	for f in $(jq -r '.kernel, .ramdisk, .dtb_overlay | select(. != null)' "$1/guest.json"); do
		[ -f "$1/$f" ] || { tap_diag "$1: guest.json names '$f', which is not there"; return 1; }
	done
}

built=$top_builddir/out/packages
tap_check "testguest package: guest.json conforms to guest-config, names the files it has" \
	package_ok "$built/testguest"
tap_check "testguest package: the guest is the one the build made" \
	cmp -s "$built/testguest/testguest" "$top_builddir/testguest/testguest"
# The package runs until stopped: its checks, then echo with no deadline.
tap_check "testguest package: checks its machine, then answers on COM1 until stopped" \
	sh -c "jq -r .cmdline '$built/testguest/guest.json' |
		grep -qE '^test=([a-z]+,)+echo( .*)? echo_timeout_ms=0( |\$)'"
if [ -f "$built/debian/guest.json" ]; then
	tap_check "debian package: guest.json conforms to guest-config, names the files it has" \
		package_ok "$built/debian"
else
	tap_skip "debian package: guest.json conforms to guest-config" "not built here ('make debian-package')"
fi

# install_data NAME DEBIAN-DIR: `make install-data` into $tmp/NAME with the
# debian package taken from DEBIAN-DIR; sets packages to where they went.
install_data() {
	make -s -C "$top_builddir" install-data DESTDIR="$tmp/$1" DEBIAN_PACKAGE="$2" \
		> "$tmp/$1.log" 2>&1 || { tap_diag "$(cat "$tmp/$1.log")"; return 1; }
	packages=$(find "$tmp/$1" -type d -path '*/guestmgr/packages')
}

tap_check "make install-data without the debian package: succeeds" \
	install_data plain "$tmp/not-built"
tap_check "without the debian package: testguest installed, as built" \
	sh -c "cmp -s '$built/testguest/guest.json' '$packages/testguest/guest.json' &&
		cmp -s '$built/testguest/testguest' '$packages/testguest/testguest'"
tap_check "without the debian package: none installed" [ ! -e "$packages/debian" ]
tap_check "without the debian package: make says so" \
	grep -qF "guest package 'debian' not installed: $tmp/not-built is not built ('make debian-package' builds it)" \
	"$tmp/plain.log"

# A stand-in debian package, as build-debian-guest.sh lays it out.
mkdir "$tmp/debian"
jq '.kernel = "vmlinuz" | .ramdisk = "initrd.img"' "$built/testguest/guest.json" > "$tmp/debian/guest.json"
for f in vmlinuz vmlinux initrd.img; do echo "$f" > "$tmp/debian/$f"; done
tap_check "make install-data with a debian package: succeeds" install_data full "$tmp/debian"
tap_check "with a debian package: installed, guest.json and the files it names" \
	package_ok "$packages/debian"
tap_check "with a debian package: the files are the package's" \
	sh -c "cmp -s '$tmp/debian/guest.json' '$packages/debian/guest.json' &&
		cmp -s '$tmp/debian/vmlinuz' '$packages/debian/vmlinuz'"
tap_check "with a debian package: testguest installed too" package_ok "$packages/testguest"

# What the schema cannot say (a device this version lacks, files that must
# be there) guestmgrd checks at Launch: without /dev/kvm, a launch of each
# package must get past all of it and fail only at KVM.
if [ -e /dev/kvm ]; then
	tap_skip "guestmgrd takes the packages' configs" "KVM is here: guest-packages-launch.sh launches them"
else
	cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$built"], "state_dir": "$tmp/state", "run_dir": "$tmp/run" }
JSON
	gm_start
	for name in testguest debian; do
		[ -f "$built/$name/guest.json" ] || continue
		gm_expect "guestmgrd takes the $name package's config: the launch fails only at KVM" \
			"START_FAILURE: KVM '/dev/kvm': No such file or directory" gctl launch "$name"
	done
fi

tap_done
