#!/bin/sh
# Guests run through guestmgrd, under KVM (on a host without a usable
# /dev/kvm the test runs in the nested-KVM rig): RUNNING once the vmm says
# its vCPUs run, the serial port shared by several clients with a backlog
# and a log, the console, every way a run ends (ForceShutdown, the guest
# itself, a graceful stop by the ACPI power button and one that times out,
# a device killed, the vmm killed) with its status and reason, and
# 50 launch/stop cycles leaving the daemon's fds, children, memfds and RSS
# where they started; a vmm that cannot be run is a START_FAILURE.
. "$top_srcdir/tests/lib.sh"
need_kvm
. "$top_srcdir/tests/integration/manager-lib.sh"

gm_setup
mkdir -p "$tmp/packages/console"
cp "$build/testguest/testguest" "$tmp/packages/console/testguest"
cat >"$tmp/packages/console/guest.json" <<JSON
{ "kernel": "testguest", "cmdline": "test=pci,console console_timeout_ms=60000",
  "guest_memory": 67108864, "virtio_console": true }
JSON
mkdir -p "$tmp/packages/disk"
cp "$build/testguest/testguest" "$tmp/packages/disk/testguest"
cat >"$tmp/packages/disk/guest.json" <<JSON
{ "kernel": "testguest", "cmdline": "test=pci,blk", "guest_memory": 67108864 }
JSON
# A guest that never answers the power button: halted, interrupts off.
mkdir -p "$tmp/packages/halted"
cp "$build/testguest/testguest" "$tmp/packages/halted/testguest"
cat >"$tmp/packages/halted/guest.json" <<JSON
{ "kernel": "testguest", "cmdline": "test=boot exit=halt", "guest_memory": 67108864 }
JSON
gm_start

# info_field NAME JQ: a field of the guest's GetInfo.
info_field() {
	gctl --json info "$1" | jq -r "$2"
}

# wait_status NAME STATUS: until the guest has it (10 s at most).
wait_status() {
	_i=0
	while [ "$(info_field "$1" .guest_status)" != "$2" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(info_field "$1" .guest_status)" = "$2" ]
}

# serial_session NAME INPUT SECONDS: the serial port with INPUT (printf's
# escapes: \r is Enter) typed, read for SECONDS.
serial_session() {
	(printf "$2"; sleep "$3") | gctl serial "$1" 2>/dev/null
}

gm_status_is "launch returns once the guest runs" 0 gctl launch testguest
tap_check "GetInfo: RUNNING" test "$(info_field testguest .guest_status)" = RUNNING
tap_check "GetInfo: an uptime" test "$(info_field testguest .uptime)" -gt 0
tap_check "GetInfo: the descriptor" test "$(info_field testguest .guest_descriptor.rng)" = true
gm_status_is "a second launch is ALREADY_RUNNING" 1 gctl launch testguest
gm_expect "and says so" "ALREADY_RUNNING" gctl launch testguest
gm_expect "wipe is refused while it runs" "ALREADY_RUNNING" gctl wipe testguest
pids=$(jq -r '.processes | [.vmm] + [.devices[]] | join(" ")' "$tmp/run/guests/testguest.json")
tap_check "the runtime state names the vmm and the device" test "$(echo $pids | wc -w)" -eq 2

# Serial: two clients at once see the same output; a late one gets the backlog.
serial_session testguest 'hello\r' 2 >"$tmp/s1" &
s1=$!
serial_session testguest '' 2 >"$tmp/s2" &
s2=$!
wait "$s1" "$s2"
tap_check "serial: the guest answers a line typed" grep -q "ECHO hello" "$tmp/s1"
tap_check "serial: a second client sees the same answer" grep -q "ECHO hello" "$tmp/s2"
serial_session testguest '' 1 >"$tmp/s3"
tap_check "serial: a late client gets the backlog first" grep -q "ECHO-READY" "$tmp/s3"
tap_check "serial: the log under the state directory has it all" \
	grep -q "ECHO hello" "$tmp/state/testguest/serial.log"
[ "$tap_failed" -eq 0 ] || tap_diag "GetInfo:" "$(gctl --json info testguest)" \
	"the guest's serial log:" "$(cat "$tmp/state/testguest/serial.log")" \
	"the daemon's log:" "$(cat "$tmp/daemon.log")"

# ForceShutdown, then Launch at once.
gm_status_is "stop --force (ForceShutdown) returns once it is stopped" 0 gctl stop --force testguest
stopped=$(info_field testguest '.guest_status + " " + .stop_reason.cause')
tap_check "GetInfo: STOPPED, FORCED ($stopped)" test "$stopped" = "STOPPED FORCED"
tap_check "stop_error: CONTROLLER_FORCED_HALT" \
	test "$(info_field testguest .stop_error.code)" = CONTROLLER_FORCED_HALT
for p in $pids; do
	kill -0 "$p" 2>/dev/null && tap_not_ok "process $p is gone" && continue
	tap_ok "process $p is gone"
done
gm_status_is "stop again is fine" 0 gctl stop --force testguest
gm_status_is "launch works right after" 0 gctl launch testguest

# A graceful stop: the ACPI power button, which the test guest answers by
# powering off (ACPI S5) well before the timeout.
start_ms=$(($(date +%s%N) / 1000000))
gm_status_is "stop (the power button) returns once it is stopped" 0 gctl stop --timeout 60 testguest
stop_ms=$(($(date +%s%N) / 1000000 - start_ms))
stopped=$(info_field testguest '.guest_status + " " + .stop_reason.cause')
tap_check "GetInfo: STOPPED, GUEST ($stopped), in $stop_ms ms" test "$stopped" = "STOPPED GUEST"
tap_check "stop_reason: the guest powered off on the power button" \
	test "$(info_field testguest .stop_reason.message)" = \
	"guest stopped: ACPI power off (S5) (the power button was pressed)"
tap_check "no stop_error: the guest stopped itself" test "$(info_field testguest .stop_error)" = null
tap_check "the guest saw the button pressed" \
	grep -q "TEST power_button.pressed PASS" "$tmp/state/testguest/serial.log"
# A guest that does not answer (halted, interrupts off) is forced off
# once the timeout runs out.
gctl launch halted >/dev/null
_i=0
while ! grep -q '^SUMMARY' "$tmp/state/halted/serial.log" 2>/dev/null && [ "$_i" -lt 600 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
gm_status_is "stop --timeout 1 of a guest ignoring the button returns" 0 gctl stop --timeout 1 halted
stopped=$(info_field halted '.guest_status + " " + .stop_reason.cause')
tap_check "GetInfo: STOPPED, FORCED ($stopped)" test "$stopped" = "STOPPED FORCED"
gm_expect "stop_error: CONTROLLER_FORCED_HALT, the timeout says why" \
	'"code":"CONTROLLER_FORCED_HALT","number":14,"message":"the guest did not power off within 1000 ms of the power button"' \
	gctl --json info halted
gm_status_is "launch works after a graceful stop" 0 gctl launch testguest

# The guest stops itself.
serial_session testguest 'quit\r' 1 >/dev/null
tap_check "the guest stopping itself ends STOPPED" wait_status testguest STOPPED
tap_check "with cause GUEST" test "$(info_field testguest .stop_reason.cause)" = GUEST
tap_check "and no stop_error" test "$(info_field testguest .stop_error)" = null

# A device process killed.
gctl launch testguest >/dev/null
dev=$(jq -r '.processes.devices["virtio-rng"]' "$tmp/run/guests/testguest.json")
kill -9 "$dev"
tap_check "a device killed stops its guest" wait_status testguest STOPPED
gm_expect "the stop reason names the device" '"cause":"DEVICE_DIED","message":"device virtio-rng killed by signal 9' \
	gctl --json info testguest
gm_expect "detected_problems say a device died" "a device process died in the last run" \
	gctl info testguest

# The vmm killed.
gctl launch testguest >/dev/null
vmm=$(jq -r .processes.vmm "$tmp/run/guests/testguest.json")
kill -9 "$vmm"
tap_check "the vmm killed: VMM_UNEXPECTED_TERMINATION" wait_status testguest VMM_UNEXPECTED_TERMINATION
gm_expect "the stop reason says how" "the vmm was killed by signal 9" gctl info testguest
tap_check "the daemon lives on" kill -0 "$gm_daemon_pid"

# The console.
gctl launch console >/dev/null
(sleep 2) | gctl console console >"$tmp/console" 2>/dev/null
tap_check "console: the guest's hvc output" grep -q "CONSOLE-HELLO" "$tmp/console"
gm_expect "no console, no GetConsole" "DEVICE_NOT_PRESENT" sh -c \
	"$build/manager/guestctl/guestctl --socket '$sock' launch testguest >/dev/null; \
	 $build/manager/guestctl/guestctl --socket '$sock' console testguest </dev/null"

# Two guests at once: each its own vmm, the serial port of one untouched by
# the other.
tap_check "two guests at once: both RUNNING" test "$(gctl --json list |
	jq -r '[.guests[] | select(.status == "RUNNING") | .name] | join(",")')" = "console,testguest"
tap_check "each with its own vmm" test "$(jq -r .processes.vmm "$tmp/run/guests/console.json")" != \
	"$(jq -r .processes.vmm "$tmp/run/guests/testguest.json")"
tap_check "one's serial output is not in the other's log" sh -c \
	"! grep -q CONSOLE '$tmp/state/testguest/serial.log' && ! grep -q 'TEST boot' '$tmp/state/console/serial.log'"
gctl stop --force console >/dev/null
tap_check "stopping one leaves the other RUNNING" test "$(info_field testguest .guest_status)" = RUNNING
gctl stop --force testguest >/dev/null

# A client's qcow2 chain, opened by guestctl and read by the guest through
# the device: the guest's CRC of the disk is the host's of the chain.
head -c 262144 /dev/urandom >"$tmp/base.raw"
qemu-img create -q -f qcow2 -b base.raw -F raw "$tmp/top.qcow2" 256K
qemu-io -c "write -P 0x5a 4096 4096" "$tmp/top.qcow2" >/dev/null
qemu-img convert -O raw "$tmp/top.qcow2" "$tmp/flat.raw"
want=$(gzip -c "$tmp/flat.raw" | tail -c8 | od -An -tx4 -N4 | tr -d ' ')
gm_status_is "a guest with a client's qcow2 chain launches" 0 \
	gctl launch disk --block "$tmp/top.qcow2:ro:qcow2"
wait_status disk STOPPED
tap_check "the guest read the whole chain" grep -q "TEST blk.read PASS" "$tmp/state/disk/serial.log"
tap_check "its CRC is the host's view of the chain ($want)" \
	grep -q "INFO blk_crc32=$want" "$tmp/state/disk/serial.log"

# 50 cycles leave nothing behind.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$gm_daemon_pid/status"; }
memfds() { ls -l "/proc/$gm_daemon_pid/fd" | grep -c memfd; }
children() { pgrep -P "$gm_daemon_pid" | wc -l; }
gctl launch testguest >/dev/null && gctl stop --force testguest >/dev/null
fds0=$(gm_fds) rss0=$(rss) memfd0=$(memfds) kids0=$(children)
failed=0
for i in $(seq 50); do
	gctl launch testguest >/dev/null && gctl stop --force testguest >/dev/null || failed=$((failed + 1))
done
tap_check "50 launch/stop cycles, every one fine ($failed failed)" test "$failed" -eq 0
tap_check "fds as before ($fds0 -> $(gm_fds))" test "$(gm_fds)" -eq "$fds0"
tap_check "children as before ($kids0 -> $(children))" test "$(children)" -eq "$kids0"
tap_check "memfds as before ($memfd0 -> $(memfds))" test "$(memfds)" -eq "$memfd0"
tap_check "RSS within 1 MiB of before ($rss0 -> $(rss) kB)" test "$(rss)" -le $((rss0 + 1024))

# A vmm that cannot be run: START_FAILURE naming it, and the daemon lives.
gm_stop
gm_start --vmm "$tmp/no-such-vmm"
gm_expect "a vmm that cannot be run is START_FAILURE naming it" \
	"START_FAILURE: vmm: cannot run $tmp/no-such-vmm: No such file or directory" gctl launch testguest
tap_check "the daemon lives on" kill -0 "$gm_daemon_pid"
tap_done
