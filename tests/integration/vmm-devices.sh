#!/bin/sh
# The vmm with the project's own device processes as vhost-user backends:
# devices/virtio-rng in slot 1 and devices/virtio-blk in slot 2 of one
# guest. The test guest finds both on bus 0 in config order, reads entropy
# and the whole disk (its CRC-32 must match the host's) with completions by
# MSI-X, and no notify write reaches the vmm; devices/virtio-console
# carries lines both ways between the guest and a socket; a hostile ring makes
# virtio-blk give up on its queue through the error eventfd, which the vmm
# turns into NEEDS_RESET and a configuration interrupt; a device killed
# while the guest uses it is reported, and the guest runs to its end.
# The vmm runs confined (--sandbox), as guestmgrd runs it, devices too.
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm
[ "$(id -u)" -eq 0 ] || tap_skip_all "the device sandbox needs root (namespaces)"
rng=$top_builddir/devices/virtio-rng
blk=$top_builddir/devices/virtio-blk
[ -x "$rng" ] && [ -x "$blk" ] || tap_skip_all "devices/virtio-rng and devices/virtio-blk are not built"

head -c 1048576 /dev/urandom > "$tmp/disk.img"
want_crc=$(gzip -c < "$tmp/disk.img" | tail -c 8 | od -An -tx4 -N4 | tr -d ' ')
start_device rng "$rng"
start_device blk "$blk" --blk-file "$tmp/disk.img"

guest_config both "test=pci,rng,blk" '"vhost_user_devices": [
	{ "type": "rng", "socket": "'"$tmp"'/rng.sock" },
	{ "type": "blk", "socket": "'"$tmp"'/blk.sock" } ]'
run_vmm both --sandbox --stats
judge "rng and blk on our devices" both $?
tap_check "slot 1 is virtio-rng, slot 2 virtio-blk (config order)" \
	sh -c 'grep -q "^INFO pci 00:01.0 1af4:1044 " "$1" && grep -q "^INFO pci 00:02.0 1af4:1042 " "$1"' \
	- "$tmp/both.out"
got_crc=$(sed -n 's/^INFO blk_crc32=\([0-9a-f]*\) .*/\1/p' "$tmp/both.out")
tap_check "the guest read the disk devices/virtio-blk serves (CRC-32 $want_crc, guest '$got_crc')" \
	test "$got_crc" = "$want_crc"
tap_check "no notify write of either device reached the vmm" \
	sh -c '[ "$(grep -c "): notify exits 0$" "$1")" -eq 2 ]' - "$tmp/both.err"

start_device blk2 "$blk" --blk-file "$tmp/disk.img"
guest_config badring "test=badring badring=loop" '"vhost_user_devices": [
	{ "type": "blk", "socket": "'"$tmp"'/blk2.sock" } ]'
run_vmm badring --sandbox
judge "a looping descriptor chain on devices/virtio-blk" badring $?
tap_check "the error eventfd reached the vmm: NEEDS_RESET for that device" \
	grep -q '^vmm: vhost_user_devices\[0\] (blk): the backend reported an error on queue 0; device needs reset' \
	"$tmp/badring.err"
tap_check "the guest saw NEEDS_RESET announced by the configuration interrupt" \
	sh -c 'grep -q "^TEST badring.loop PASS device marked needs-reset" "$1" &&
	       grep -q "^TEST badring.config_irq PASS" "$1"' - "$tmp/badring.out"

# virtio-console: the far end of the console is a socket whose peer waits
# for the guest's hello, sends a line and quit, and keeps what it gets.
if command -v socat > /dev/null; then
	cat > "$tmp/far.sh" <<PEER
IFS= read -r hello
printf '%s\\n' "\$hello" > "$tmp/console.got"
printf 'hi there\\nquit\\n'
cat >> "$tmp/console.got"
PEER
	far_end far
	start_device con "$top_builddir/devices/virtio-console" --console-socket "$tmp/far.sock"
	guest_config console "test=console" '"vhost_user_devices": [
		{ "type": "console", "socket": "'"$tmp"'/con.sock" } ]'
	run_vmm console --sandbox
	judge "console on devices/virtio-console" console $?
	tap_check "the far end got the guest's hello and its echo of our line" \
		sh -c 'printf "CONSOLE-HELLO\nCONSOLE-ECHO hi there\n" | cmp -s - "$1"' - "$tmp/console.got"

	# A device that dies while the guest uses it: the far end kills the
	# console device (SIGKILL to its launcher, whose sandboxed child follows
	# by PDEATHSIG) on the guest's hello. The vmm names the device, marks
	# it for reset and runs on; the guest gives up waiting and stops itself.
	cat > "$tmp/far2.sh" <<KILLER
IFS= read -r hello
kill -KILL "\$(cat "$tmp/con2.pid")"
KILLER
	far_end far2
	start_device con2 "$top_builddir/devices/virtio-console" --console-socket "$tmp/far2.sock"
	echo "${pids##* }" > "$tmp/con2.pid"
	guest_config console2 "test=console console_timeout_ms=2000" '"vhost_user_devices": [
		{ "type": "console", "socket": "'"$tmp"'/con2.sock" } ]'
	run_vmm console2 --sandbox
	st=$?
	tap_check "a device killed mid-run: the vmm says so, naming it" \
		grep -q '^vmm: vhost_user_devices\[0\] (console): the backend hung up; device needs reset' \
		"$tmp/console2.err"
	tap_check "a device killed mid-run: the guest still stops itself (status 0)" \
		check_stop console2 "$st" 0 "guest stopped: i8042 reset"
else
	tap_skip "virtio-console" "socat is not installed"
fi

tap_done
