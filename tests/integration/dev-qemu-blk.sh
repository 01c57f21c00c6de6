#!/bin/sh
# devices/virtio-blk as QEMU's vhost-user-blk backend, driven by Linux's
# virtio_blk in the debian guest (QEMU TCG): the three disk modes, qcow2,
# and a qcow2 chain handed over as fds (--blk-fd, --backing-fd).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/debian-package.sh"
. "$top_srcdir/tests/integration/dev-qemu-lib.sh"

debian_package || { tap_done; exit; }
blk=$top_builddir/devices/virtio-blk

# The guest hashes the disk twice: through its page cache, and with 1 MiB
# O_DIRECT reads, which the driver sends as requests of up to seg_max (126)
# segments, the longest chains it builds. Then it writes one marked sector
# at 4 KiB with a flush (conv=fsync: VIRTIO_BLK_T_FLUSH) and reads it back
# past its page cache.
cat >"$dev_work/guest.sh" <<'SCRIPT'
echo "vda-md5 $(md5sum </dev/vda | cut -d' ' -f1)"
echo "vda-direct-md5 $(dd if=/dev/vda bs=1M iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
echo "vda-serial $(cat /sys/block/vda/serial 2>/dev/null)"
echo "vda-ro $(cat /sys/block/vda/ro)"
printf 'written-by-the-guest' | dd of=/dev/vda bs=512 seek=8 conv=sync,notrunc,fsync 2>/dev/null
echo "write-status $?"
echo 3 >/proc/sys/vm/drop_caches
echo "readback $(dd if=/dev/vda bs=512 skip=8 count=1 iflag=direct 2>/dev/null | head -c 20)"
SCRIPT

marker=written-by-the-guest
head -c 4194304 /dev/urandom >"$dev_work/orig.img"
orig_md5=$(md5sum <"$dev_work/orig.img" | cut -d' ' -f1)
file_marker() { dd if="$1" bs=512 skip=8 count=1 2>/dev/null | head -c 20; }

# synced NAME COMMAND...: becomes COMMAND (dev_boot runs it in the
# background), under strace when there is one, which logs its fdatasync
# calls; fdatasync_check NAME DESC TEST N: a check on their count
# ("test $count TEST N").
synced() {
	_log=$dev_work/$1.strace
	shift
	if command -v strace >/dev/null; then
		exec strace -f -qq -e trace=fdatasync -o "$_log" "$@"
	fi
	exec "$@"
}
fdatasync_check() {
	if [ -f "$dev_work/$1.strace" ]; then
		_n=$(grep -c '^[0-9]* *fdatasync(' "$dev_work/$1.strace")
		tap_check "$2 ($_n fdatasync calls)" test "$_n" "$3" "$4"
	else
		tap_skip "$2" "strace is not installed (apt-get install strace)"
	fi
}

# READ_WRITE: the guest reads the image, its write lands in the file, and
# its flush reaches the disk: the device, under strace, calls fdatasync.
cp "$dev_work/orig.img" "$dev_work/rw.img"
dev_boot rw vhost-user-blk-pci "$dev_work/guest.sh" \
	synced rw "$blk" --blk-file "$dev_work/rw.img" --serial gm-disk-0
tap_check "read-write: the guest's md5 of /dev/vda matches the host's" \
	test "$(dev_guest_value rw vda-md5)" = "$orig_md5"
tap_check "read-write: the guest's 1 MiB O_DIRECT reads give the same md5" \
	test "$(dev_guest_value rw vda-direct-md5)" = "$orig_md5"
tap_check "read-write: the guest sees the serial (VIRTIO_BLK_T_GET_ID)" \
	test "$(dev_guest_value rw vda-serial)" = gm-disk-0
tap_check "read-write: the guest's write succeeded" test "$(dev_guest_value rw write-status)" = 0
tap_check "read-write: the write landed in the file" test "$(file_marker "$dev_work/rw.img")" = "$marker"
fdatasync_check rw "read-write: the guest's flush reached the file as fdatasync" -ge 1

# READ_ONLY: the disk is read-only in the guest, writes fail, the file stays.
cp "$dev_work/orig.img" "$dev_work/ro.img"
dev_boot ro vhost-user-blk-pci "$dev_work/guest.sh" "$blk" --blk-file "$dev_work/ro.img" --read-only
tap_check "read-only: the guest's md5 of /dev/vda matches the host's" \
	test "$(dev_guest_value ro vda-md5)" = "$orig_md5"
tap_check "read-only: the guest sees a read-only disk (VIRTIO_BLK_F_RO)" test "$(dev_guest_value ro vda-ro)" = 1
tap_check "read-only: the guest's write failed" test "$(dev_guest_value ro write-status)" != 0
tap_check "read-only: the file is untouched" test "$(md5sum <"$dev_work/ro.img" | cut -d' ' -f1)" = "$orig_md5"

# VOLATILE_WRITE: later guest reads see the write, the file does not.
cp "$dev_work/orig.img" "$dev_work/vol.img"
dev_boot volatile vhost-user-blk-pci "$dev_work/guest.sh" \
	synced volatile "$blk" --blk-file "$dev_work/vol.img" --volatile
tap_check "volatile: the guest's write succeeded" test "$(dev_guest_value volatile write-status)" = 0
tap_check "volatile: a later guest read sees the write" test "$(dev_guest_value volatile readback)" = "$marker"
tap_check "volatile: the file is untouched" test "$(md5sum <"$dev_work/vol.img" | cut -d' ' -f1)" = "$orig_md5"
fdatasync_check volatile "volatile: the guest's flush did not sync the file" -eq 0

# QCOW2, read-write: the guest reads the same content, and its write is in
# the image as qemu-img reads it back.
if command -v qemu-img >/dev/null; then
	qemu-img convert -f raw -O qcow2 "$dev_work/orig.img" "$dev_work/disk.qcow2"
	dev_boot qcow2 vhost-user-blk-pci "$dev_work/guest.sh" "$blk" --blk-file "$dev_work/disk.qcow2" --format qcow2
	tap_check "qcow2: the guest's md5 of /dev/vda matches the raw original" \
		test "$(dev_guest_value qcow2 vda-md5)" = "$orig_md5"
	tap_check "qcow2: the guest's 1 MiB O_DIRECT reads give the same md5" \
		test "$(dev_guest_value qcow2 vda-direct-md5)" = "$orig_md5"
	tap_check "qcow2: the guest's write succeeded" test "$(dev_guest_value qcow2 write-status)" = 0
	qemu-img convert -f qcow2 -O raw "$dev_work/disk.qcow2" "$dev_work/back.img"
	tap_check "qcow2: qemu-img reads the guest's write from the image" \
		test "$(file_marker "$dev_work/back.img")" = "$marker"
	tap_check "qcow2: qemu-img check finds the image consistent" \
		qemu-img check -q "$dev_work/disk.qcow2"

	# A qcow2 chain given as fds, as guestmgrd passes what guestctl
	# opened: base.raw (the original) <- mid.qcow2 (a write of its own)
	# <- top.qcow2, the guest's md5 against qemu-img's view of the chain.
	cp "$dev_work/orig.img" "$dev_work/base.raw"
	qemu-img create -q -f qcow2 -b base.raw -F raw "$dev_work/mid.qcow2"
	qemu-io -f qcow2 -c "write -P 0x5a 1048576 65536" "$dev_work/mid.qcow2" >/dev/null
	qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 "$dev_work/top.qcow2"
	qemu-img convert -O raw "$dev_work/top.qcow2" "$dev_work/chain.img"
	chain_md5=$(md5sum <"$dev_work/chain.img" | cut -d' ' -f1)
	exec 7<>"$dev_work/top.qcow2" 8<"$dev_work/mid.qcow2" 9<"$dev_work/base.raw"
	dev_boot chain vhost-user-blk-pci "$dev_work/guest.sh" \
		"$blk" --blk-fd 7 --backing-fd 8 --backing-fd 9 --format qcow2
	exec 7<&- 8<&- 9<&-
	tap_check "qcow2 chain as fds: the guest's md5 of /dev/vda is qemu-img's md5 of the chain" \
		test "$(dev_guest_value chain vda-md5)" = "$chain_md5"
	tap_check "qcow2 chain as fds: the 1 MiB O_DIRECT reads give the same md5" \
		test "$(dev_guest_value chain vda-direct-md5)" = "$chain_md5"
	qemu-img convert -f qcow2 -O raw "$dev_work/top.qcow2" "$dev_work/chain-back.img"
	tap_check "qcow2 chain as fds: qemu-img reads the guest's write from the top image" \
		test "$(file_marker "$dev_work/chain-back.img")" = "$marker"
	tap_check "qcow2 chain as fds: qemu-img check finds the top image consistent" \
		qemu-img check -q "$dev_work/top.qcow2"
else
	tap_skip "qcow2" "qemu-img is not installed (apt-get install qemu-utils)"
fi

tap_done
