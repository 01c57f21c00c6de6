#!/bin/sh
# virtio-pci over vhost-user with a real backend: QEMU's qemu-storage-daemon
# exports a disk image as vhost-user-blk; the test guest enumerates the PCI
# bus and reads the whole disk through virtio-blk. The guest's CRC-32 of
# the disk must match the host's, and --stats must show no guest write to
# the notify registers reaching the vmm (kicks go guest -> KVM ioeventfd ->
# backend). Start errors name the device; a backend that hangs up during
# the handshake is a start failure, not a crash.
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm
command -v qemu-storage-daemon > /dev/null || tap_skip_all "qemu-storage-daemon is not installed"

qsd_pid=
bad_pid=
trap 'for p in $qsd_pid $bad_pid; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

head -c 1048576 /dev/urandom > "$tmp/disk.img"
# The CRC-32 of the image: gzip's trailer holds it, little-endian.
want_crc=$(gzip -c < "$tmp/disk.img" | tail -c 8 | od -An -tx4 -N4 | tr -d ' ')
qemu-storage-daemon \
	--blockdev driver=file,node-name=disk,filename="$tmp/disk.img" \
	--export type=vhost-user-blk,id=blk0,node-name=disk,addr.type=unix,addr.path="$tmp/blk.sock",writable=on \
	> "$tmp/qsd.log" 2>&1 &
qsd_pid=$!
if ! wait_for_socket "$tmp/blk.sock"; then
	sed 's/^/# /' "$tmp/qsd.log"
	tap_skip_all "qemu-storage-daemon did not start"
fi

blk_dev='"vhost_user_devices": [ { "type": "blk", "socket": "'"$tmp"'/blk.sock" } ]'

# The test guest's pci and blk scenarios come with its virtio driver; an
# older test guest does not know them.
guest_config blk "test=pci,blk" "$blk_dev"
run_vmm blk --stats
status=$?
if grep -q "unknown scenario" "$tmp/blk.out"; then
	tap_skip "virtio-blk over vhost-user" "this test guest has no pci/blk scenario"
else
	judge "pci and blk on qemu-storage-daemon" blk $status
	tap_check "the PCI scan finds the virtio-blk function 1af4:1042 at 00:01.0" \
		grep -q '^INFO pci 00:01.0 1af4:1042 class=018000' "$tmp/blk.out"
	got_crc=$(sed -n 's/^INFO blk_crc32=\([0-9a-f]*\) .*/\1/p' "$tmp/blk.out")
	if [ -n "$got_crc" ] && [ "$got_crc" = "$want_crc" ]; then
		tap_ok "the guest read the disk the backend serves (CRC-32 $want_crc)"
	else
		tap_not_ok "the guest read the disk the backend serves (CRC-32 $want_crc)"
		tap_diag "guest says '$got_crc'"
	fi
	tap_check "no notify write reached the vmm" \
		grep -q 'stats: vhost_user_devices\[0\] (blk): notify exits 0$' "$tmp/blk.err"
	tap_check "the driver did reach the common config through the vmm" \
		grep -Eq 'stats: vhost_user_devices\[0\] \(blk\): common exits [1-9]' "$tmp/blk.err"
	# The same function through the ECAM window the MCFG announces.
	guest_config ecam "test=pci pci_access=ecam" "$blk_dev"
	run_vmm ecam
	judge "pci through ECAM" ecam $?
	tap_check "ECAM finds the same function at 00:01.0" \
		grep -q '^INFO pci 00:01.0 1af4:1042 class=018000' "$tmp/ecam.out"
fi

# A hostile ring: qemu-storage-daemon gives up on the device and hangs
# up; the vmm reports it for that device and the guest runs on to its end.
guest_config badring "test=badring badring=oob" "$blk_dev"
run_vmm badring
status=$?
if grep -q "unknown scenario" "$tmp/badring.out"; then
	tap_skip "a backend that gives up" "this test guest has no badring scenario"
else
	judge "badring on qemu-storage-daemon" badring $status
	tap_check "the vmm names the device whose backend failed" \
		grep -q '^vmm: vhost_user_devices\[0\] (blk): ' "$tmp/badring.err"
fi

# A socket nobody listens on: a start error naming the device.
guest_config nosock "test=boot" '"vhost_user_devices": [ { "type": "rng", "socket": "'"$tmp"'/none.sock" } ]'
run_vmm nosock
tap_check "an unreachable backend is a start failure naming the device" \
	check_stop nosock $? 1 "vhost_user_devices[0] (rng).socket '$tmp/none.sock': connect:"

# The schema checks the type.
guest_config badtype "test=boot" '"vhost_user_devices": [ { "type": "gpu", "socket": "x" } ]'
run_vmm badtype
status=$?
tap_check "an unknown device type is refused, naming the field" \
	sh -c '[ "$1" -eq 1 ] && grep -q "vhost_user_devices" "$2"' - "$status" "$tmp/badtype.err"

# A backend that hangs up at once: the handshake fails with a message.
if command -v socat > /dev/null; then
	socat UNIX-LISTEN:"$tmp/bad.sock" /dev/null > /dev/null 2>&1 &
	bad_pid=$!
	wait_for_socket "$tmp/bad.sock"
	guest_config hangup "test=boot" '"vhost_user_devices": [ { "type": "blk", "socket": "'"$tmp"'/bad.sock" } ]'
	run_vmm hangup
	tap_check "a backend that hangs up is a start failure naming the device and request" \
		check_stop hangup $? 1 "vhost_user_devices[0] (blk): vhost-user GET_FEATURES:"
else
	tap_skip "a backend that hangs up" "socat is not installed"
fi

tap_done
