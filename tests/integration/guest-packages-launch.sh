#!/bin/sh
# The guest packages the build makes (out/packages/NAME, what `make
# install` installs: guest-packages.sh), launched through guestmgrd under
# KVM as a user would: testguest checks its machine and then answers on
# its serial port until stopped; debian, when built (`make
# debian-package`), boots to its ready marker and is stopped.
. "$top_srcdir/tests/lib.sh"
need_kvm
. "$top_srcdir/tests/integration/manager-lib.sh"
. "$top_srcdir/tests/debian-package.sh"

gm_setup
packages=$top_builddir/out/packages
cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$packages"], "state_dir": "$tmp/state", "run_dir": "$tmp/run" }
JSON
gm_start

# info_field NAME JQ: a field of the guest's GetInfo.
info_field() {
	gctl --json info "$1" | jq -r "$2"
}

# wait_serial NAME TEXT SECONDS: until the guest's serial log has TEXT.
wait_serial() {
	_i=0
	while ! grep -qF -- "$2" "$tmp/state/$1/serial.log" 2>/dev/null && [ "$_i" -lt "$(($3 * 10))" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -qF -- "$2" "$tmp/state/$1/serial.log"
}

# testguest: its checks pass, then it echoes until stopped.
gm_status_is "testguest: launch returns once it runs" 0 gctl launch testguest
tap_check "testguest: RUNNING" test "$(info_field testguest .guest_status)" = RUNNING
tap_check "testguest: its checks done, it listens" wait_serial testguest ECHO-READY 60
log=$tmp/state/testguest/serial.log
for scenario in boot acpi irq smp pci rng blk; do
	tap_check "testguest: every $scenario check passes" sh -c \
		"grep -q '^TEST $scenario\\.' '$log' && ! grep -q '^TEST $scenario\\..* FAIL' '$log'"
done
(printf 'hello package\r'; sleep 2) | gctl serial testguest >"$tmp/serial" 2>/dev/null
tap_check "testguest: answers a line typed" grep -q "ECHO hello package" "$tmp/serial"
sleep 1
tap_check "testguest: still RUNNING after a while" test "$(info_field testguest .guest_status)" = RUNNING
gm_status_is "testguest: stop returns once it is stopped" 0 gctl stop testguest
tap_check "testguest: STOPPED" test "$(info_field testguest .guest_status)" = STOPPED
[ "$tap_failed" -eq 0 ] || tap_diag "testguest's serial log:" "$(cat "$log")"

# debian: only where it was built; building it here would need a download.
if [ -f "$packages/debian/guest.json" ]; then
	gm_status_is "debian: launch returns once it runs" 0 gctl launch debian \
		--cmdline-add "tsc_early_khz=$(host_tsc_khz)"
	tap_check "debian: the package's /init prints its ready marker" \
		wait_serial debian GUESTMGR-READY 300
	gm_status_is "debian: stop returns once it is stopped" 0 gctl stop debian
	tap_check "debian: STOPPED" test "$(info_field debian .guest_status)" = STOPPED
	[ "$tap_failed" -eq 0 ] || tap_diag "debian's serial log (end):" \
		"$(tail -n 30 "$tmp/state/debian/serial.log")"
else
	tap_skip "debian: launched through guestmgrd" "not built here ('make debian-package')"
fi

tap_done
