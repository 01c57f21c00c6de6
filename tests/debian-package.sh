# The `debian` guest package for tests (sourced after tests/lib.sh).
# debian_package: builds $top_builddir/out/packages/debian (where `make
# debian-package` builds it too, and `make install` takes it from) when it
# is missing or older than the scripts that make it (the build reuses its
# cached .deb files, so this is quick), reports that as one TAP check, and sets
# $debian_pkg, $debian_kernel (the bzImage) and $debian_ramdisk. Returns 1
# when the package cannot be built. Tests that run at once (make -j) take
# turns: the first builds, the others wait and find it up to date.

debian_package() {
	debian_pkg=$top_builddir/out/packages/debian
	_build_script=$top_srcdir/scripts/build-debian-guest.sh
	_build_log=$(mktemp "${TMPDIR:-/tmp}/debian-package.XXXXXX")
	mkdir -p "$(dirname "$debian_pkg")"
	exec 8>"$debian_pkg.lock"
	flock 8
	if [ ! -f "$debian_pkg/guest.json" ] ||
		[ -n "$(find "$_build_script" "$top_srcdir/scripts/debian-guest" -newer "$debian_pkg/guest.json")" ]; then
		if sh "$_build_script" "$debian_pkg" >"$_build_log" 2>&1; then
			tap_ok "the debian package builds"
			tap_diag "$(grep -E 'kernel |initrd.img: |done in' "$_build_log")"
		else
			tap_not_ok "the debian package builds"
			tap_diag "$(tail -n 20 "$_build_log")"
			rm -f "$_build_log"
			exec 8>&-
			return 1
		fi
	else
		tap_ok "the debian package in $debian_pkg is up to date"
	fi
	exec 8>&-
	rm -f "$_build_log"
	debian_kernel=$debian_pkg/$(_debian_json_string kernel)
	debian_ramdisk=$debian_pkg/$(_debian_json_string ramdisk)
}

# _debian_json_string KEY: the value of "KEY": "value" in guest.json.
_debian_json_string() {
	sed -n "s/^ *\"$1\": *\"\([^\"]*\)\".*/\1/p" "$debian_pkg/guest.json"
}

# host_tsc_khz: the host TSC rate, for tsc_early_khz= (TCG guests otherwise
# calibrate against a timer that emulation makes irregular, and hang now
# and then; guests on emulated KVM gain minutes of calibration).
host_tsc_khz() {
	cat /sys/devices/system/cpu/cpu0/tsc_freq_khz 2>/dev/null ||
		awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo
}
