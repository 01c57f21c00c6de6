#!/bin/sh
# Our device processes behind our own vmm (virtio-pci + vhost-user
# frontend) with the test guest under KVM: virtio-blk serves the disk the
# guest reads whole, virtio-rng its entropy, and each hostile ring ends
# with the device signalling its error eventfd and the vmm setting
# NEEDS_RESET (badring=loop|oob|len|long|avail).
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm
[ "$(id -u)" -eq 0 ] || tap_skip_all "the device sandbox needs root (namespaces)"

dev_pid=
trap '[ -z "$dev_pid" ] || kill "$dev_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# start_device NAME PROGRAM [ARGS...]: the device listening on $tmp/NAME.sock.
start_device() {
	name=$1
	shift
	rm -f "$tmp/$name.sock"
	"$@" --socket-path "$tmp/$name.sock" 2>"$tmp/$name.dev.err" &
	dev_pid=$!
	wait_for_socket "$tmp/$name.sock"
}

# stop_device: the vmm has exited; the device follows (status 0).
stop_device() {
	wait "$dev_pid"
	dev_status=$?
	dev_pid=
	return "$dev_status"
}

blk=$top_builddir/devices/virtio-blk
head -c 1048576 /dev/urandom >"$tmp/disk.img"
want_crc=$(gzip -c <"$tmp/disk.img" | tail -c 8 | od -An -tx4 -N4 | tr -d ' ')
vu_dev() { echo '"vhost_user_devices": [ { "type": "'"$1"'", "socket": "'"$tmp/$2.sock"'" } ]'; }

start_device blk "$blk" --blk-file "$tmp/disk.img"
guest_config blk "test=pci,blk" "$(vu_dev blk blk)"
run_vmm blk
status=$?
if grep -q "unknown scenario" "$tmp/blk.out"; then
	tap_skip "virtio-blk on guestmgr-vmm" "this test guest has no pci/blk scenario"
else
	judge "pci and blk on devices/virtio-blk" blk $status
	got_crc=$(sed -n 's/^INFO blk_crc32=\([0-9a-f]*\) .*/\1/p' "$tmp/blk.out")
	tap_check "the guest read the disk our device serves (CRC-32 $want_crc, guest '$got_crc')" \
		test "$got_crc" = "$want_crc"
fi
tap_check "virtio-blk exited 0 after the vmm" stop_device

start_device rng "$top_builddir/devices/virtio-rng"
guest_config rng "test=rng" "$(vu_dev rng rng)"
run_vmm rng
status=$?
if grep -q "unknown scenario" "$tmp/rng.out"; then
	tap_skip "virtio-rng on guestmgr-vmm" "this test guest has no rng scenario"
else
	judge "rng on devices/virtio-rng" rng $status
fi
tap_check "virtio-rng exited 0 after the vmm" stop_device

for kind in loop oob len long avail; do
	start_device "bad-$kind" "$blk" --blk-file "$tmp/disk.img"
	guest_config "bad-$kind" "test=badring badring=$kind" "$(vu_dev blk "bad-$kind")"
	run_vmm "bad-$kind"
	status=$?
	if grep -q "unknown scenario" "$tmp/bad-$kind.out"; then
		tap_skip "badring=$kind" "this test guest has no badring scenario"
	else
		judge "badring=$kind" "bad-$kind" $status
		tap_check "badring=$kind: the device set NEEDS_RESET" \
			grep -q "^TEST badring.$kind PASS device marked needs-reset" "$tmp/bad-$kind.out"
		tap_check "badring=$kind: the device named the queue and the problem" \
			grep -q "^virtio-blk: queue 0: " "$tmp/bad-$kind.dev.err"
	fi
	kill "$dev_pid" 2>/dev/null
	wait "$dev_pid" 2>/dev/null
	dev_pid=
done

tap_done
