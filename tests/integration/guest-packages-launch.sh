#!/bin/sh
# The guest packages the build makes (out/packages/NAME, what `make
# install` installs: guest-packages.sh), launched through guestmgrd under
# KVM as a user would: testguest checks its machine and then answers on
# its serial port until stopped; debian (built from Debian's packages, as
# `make debian-package` does) boots to its ready marker with no workaround
# on its command line, runs a command typed at its shell through `guestctl
# serial`, and powers off when `guestctl stop` presses the power button.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"
. "$top_srcdir/tests/debian-package.sh"
# Built before the rig (inside, it would be emulated), quietly: the TAP
# lines come from the run inside, where the package is then up to date.
[ -n "${GUESTMGR_RIG:-}" ] || (debian_package >/dev/null 2>&1)
need_linux_kvm

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

# debian: Linux on our vmm through the daemon.
if debian_package; then
	dlog=$tmp/state/debian/serial.log
	gm_status_is "debian: launch returns once it runs" 0 gctl launch debian
	tap_check "debian: RUNNING" test "$(info_field debian .guest_status)" = RUNNING
	tap_check "debian: the package's /init prints its ready marker" \
		wait_serial debian GUESTMGR-READY 300
	# /init's shell runs on ttyS0 after the marker; the tty echoes the
	# line typed, so only the command's own output is a line of its own.
	(sleep 1; printf 'echo TYPED-$((6 * 7))\r'; sleep 5) | gctl serial debian >"$tmp/dserial" 2>/dev/null
	tap_check "debian: a command typed at its shell through guestctl serial runs" \
		sh -c 'tr -d "\r" <"$1" | grep -qx TYPED-42' - "$tmp/dserial"
	gm_status_is "debian: stop (the power button) returns once it is stopped" 0 gctl stop debian
	tap_check "debian: STOPPED, Linux powered off on the button" sh -c \
		"$build/manager/guestctl/guestctl --ro-socket '$ro_sock' --json info debian |
			jq -e '.guest_status == \"STOPPED\" and (.stop_reason.message | test(\"ACPI power off .*power button\"))' >/dev/null"
	[ "$tap_failed" -eq 0 ] || tap_diag "debian's serial log (end):" "$(tail -n 30 "$dlog")" \
		"what guestctl serial got:" "$(cat "$tmp/dserial")"
fi

tap_done
