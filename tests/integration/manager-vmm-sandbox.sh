#!/bin/sh
# guestmgrd's vmm is confined (vmm/README.md "Sandbox"), under KVM (on a
# host without a usable /dev/kvm the test runs in the nested-KVM rig): the
# vmm of a running guest is the launcher the daemon started with the
# confined vmm as its child (dev-sandbox-lib.sh), running as a uid of the
# daemon's range (uid_base) that the guest's device process does not have.
# A vmm its seccomp filter kills (the sandbox's test hook,
# GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL, set by a wrapper the daemon runs
# as its vmm) leaves its guest VMM_UNEXPECTED_TERMINATION, and GetInfo's
# stop reason says SIGSYS and what it means; so do guestctl info and the
# detected problems.
. "$top_srcdir/tests/lib.sh"
need_kvm
. "$top_srcdir/tests/integration/manager-lib.sh"
[ "$(id -u)" -eq 0 ] || tap_skip_all "the sandbox needs root (namespaces)"

gm_setup
work=$tmp
. "$top_srcdir/tests/integration/dev-sandbox-lib.sh"
uid_base=1900000000
cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$tmp/packages"], "state_dir": "$tmp/state", "run_dir": "$tmp/run",
  "uid_base": $uid_base }
JSON
# The daemon's vmm: the build's, with the test hook when $tmp/forbidden
# names a system call.
cat >"$tmp/vmm" <<WRAPPER
#!/bin/sh
if [ -s "$tmp/forbidden" ]; then
	GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL=\$(cat "$tmp/forbidden")
	export GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL
fi
exec "$build/vmm/guestmgr-vmm" "\$@"
WRAPPER
chmod +x "$tmp/vmm"
gm_start --vmm "$tmp/vmm"

# info_field NAME JQ: a field of the guest's GetInfo.
info_field() {
	gctl --json info "$1" | jq -r "$2"
}

# in_range UID: one of the daemon's 65536 uids.
in_range() {
	[ "$1" -ge "$uid_base" ] && [ "$1" -lt $((uid_base + 65536)) ]
}

gm_status_is "launch returns once the guest runs" 0 gctl launch testguest
state=$tmp/run/guests/testguest.json
launcher=$(jq -r .processes.vmm "$state")
dev_launcher=$(jq -r '.processes.devices["virtio-rng"]' "$state")
vmm=$(sandboxed_child "$launcher")
dev=$(sandboxed_child "$dev_launcher")
tap_check "the daemon's vmm forked into its sandbox" test -n "$vmm"
check_confined vmm "$vmm" "$launcher" reused
vmm_uid=$(status_field "$vmm" Uid | cut -d' ' -f1)
dev_uid=$(status_field "$dev" Uid | cut -d' ' -f1)
tap_check "the vmm's uid ($vmm_uid) is one of the daemon's (uid_base $uid_base)" in_range "$vmm_uid"
tap_check "the device's uid ($dev_uid) is another" \
	sh -c '[ -n "$2" ] && [ "$1" != "$2" ]' - "$vmm_uid" "$dev_uid"
threads=$(ls "/proc/$vmm/task" | wc -l)
filtered=$(grep -l '^Seccomp:[[:space:]]*2' /proc/"$vmm"/task/*/status | wc -l)
tap_check "every thread of the vmm has the filter ($filtered of $threads)" \
	test "$threads" -ge 2 -a "$filtered" -eq "$threads"
# The guest listens once its checks are done (a minute at most).
i=0
while ! grep -q ECHO-READY "$tmp/state/testguest/serial.log" 2>/dev/null && [ "$i" -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
(printf 'hello\r'; sleep 2) | gctl serial testguest >"$tmp/serial" 2>/dev/null
tap_check "the confined vmm carries the serial port both ways" grep -q "ECHO hello" "$tmp/serial"
gm_status_is "stop (ForceShutdown)" 0 gctl stop testguest
tap_check "and its processes are gone" sh -c '! kill -0 "$1" && ! kill -0 "$2"' - "$launcher" "$vmm" 2>/dev/null

# A forbidden system call: the vmm dies of SIGSYS, right after it confines
# itself, before its guest runs.
echo open >"$tmp/forbidden"
gctl launch testguest >"$tmp/launch.out" 2>&1
status=$(info_field testguest .guest_status)
tap_check "a vmm killed by its filter: VMM_UNEXPECTED_TERMINATION ($status)" \
	test "$status" = VMM_UNEXPECTED_TERMINATION
reason=$(info_field testguest '.stop_reason.cause + ": " + .stop_reason.message')
want='VMM_DIED: the vmm was killed by signal 31 (SIGSYS): a system call its seccomp filter forbids'
tap_check "GetInfo's stop reason names SIGSYS ($reason)" test "$reason" = "$want"
tap_check "stop_error: INTERNAL_ERROR" test "$(info_field testguest .stop_error.code)" = INTERNAL_ERROR
gm_expect "the launch says so" "SIGSYS" cat "$tmp/launch.out"
gm_expect "guestctl info says so" "killed by signal 31 (SIGSYS)" gctl info testguest
gm_expect "detected_problems say the vmm died" \
	"the vmm died in the last run: the vmm was killed by signal 31 (SIGSYS)" gctl info testguest
tap_check "the daemon's log has what the vmm said before" \
	grep -q "guest 'testguest': test: calling open inside the sandbox" "$tmp/daemon.log"
tap_check "the daemon lives on" kill -0 "$gm_daemon_pid"
rm "$tmp/forbidden"
gm_status_is "the next launch runs" 0 gctl launch testguest
gctl stop testguest >/dev/null
[ "$tap_failed" -eq 0 ] || tap_diag "the daemon's log:" "$(cat "$tmp/daemon.log")" \
	"the guest's serial log:" "$(cat "$tmp/state/testguest/serial.log")"

tap_done
