#!/bin/sh
# Boots testguest's PCI and virtio scenarios (testguest/README.md) under
# QEMU q35 with KVM against QEMU's own virtio devices (modern only, MSI-X):
# this proves the guest's driver apart from our vmm and device processes.
# What the guest read is compared with what the host computes: the disk's
# CRC-32, its serial, a sector written to a read-write disk (and the file
# changed), the same write refused by a read-only one (file unchanged),
# console lines echoed back. Hostile rings (badring) must leave QEMU
# running and the device marked NEEDS_RESET or the request refused. Then
# blk, badring and rng again with our device processes behind QEMU's
# vhost-user frontends.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/testguest-lib.sh"

timeout_s=30

# q35 boots a PVH ELF through its firmware's option ROM. qboot does it in a
# fraction of SeaBIOS's time (here ~0.3 s against ~3 s, most of it
# SeaBIOS's own emulated code); both assign the PCI BARs.
machine="-M q35 -nic none"
for rom in /usr/share/qemu/qboot.rom /usr/share/seabios/qboot.rom; do
	if [ -f "$rom" ]; then
		machine="$machine -bios $rom"
		break
	fi
done

# What QEMU 7.2's virtio-blk does with two of the hostile rings: it serves
# a buffer outside guest memory through its bounce buffer (the read lands
# in unassigned address space and completes OK), and it bounds an indirect
# chain by the table's length, not the queue size.
todo_reason() {
	case $1 in
	badring.oob) echo "QEMU completes a request whose buffer is outside guest memory (bounce buffer)" ;;
	badring.long) echo "QEMU bounds indirect chains by the table length, not the queue size" ;;
	esac
}

# info NAME KEY: the value of KEY in the guest's INFO lines.
info() {
	sed -n "s/^INFO .*\\b$2=\\([^ ]*\\).*/\\1/p" "$work/$1.log" | head -n 1
}

# The CRC-32 of a file as zlib computes it: gzip's trailer holds it,
# little-endian, as od reads it on this (x86) host.
crc32_of() {
	gzip -c "$1" | tail -c 8 | od -An -tx4 -N4 | tr -d ' '
}

# blk_args FILE SERIAL [DRIVE OPTIONS]: a modern virtio-blk on FILE.
blk_args() {
	echo "-device virtio-blk-pci,drive=d0,disable-legacy=on,serial=$2" \
		"-drive if=none,id=d0,file=$1,format=raw$3"
}

# 256 KiB: the guest's CRC-32 runs emulated at ~1.5 M instructions/s here.
sectors=512
head -c $((sectors * 512)) /dev/urandom >"$work/disk.img"
cp "$work/disk.img" "$work/orig.img"
crc=$(crc32_of "$work/disk.img")

# pci, blk (read-write) and rng in one boot.
# shellcheck disable=SC2046 # blk_args prints a list of arguments
boot rw 1 "test=pci,blk,rng blk_write=3:0x5a blk_expect_ro=0" \
	$(blk_args "$work/disk.img" tgserial-rw) -device virtio-rng-pci,disable-legacy=on
results rw
tap_check "rw: lists the virtio-blk function (1af4:1042, class 010000)" \
	grep -q '^INFO pci 00:[0-9a-f]*\.[0-7] 1af4:1042 class=010000 ' "$work/rw.log"
tap_check "rw: lists the virtio-rng function (1af4:1044)" \
	grep -q '^INFO pci 00:[0-9a-f]*\.[0-7] 1af4:1044 ' "$work/rw.log"
tap_check "rw: the guest's CRC-32 of the disk is the host's ($crc)" test "$(info rw blk_crc32)" = "$crc"
tap_check "rw: the guest read $sectors sectors" test "$(info rw blk_sectors)" = "$sectors"
tap_check "rw: the guest read the serial QEMU was given" test "$(info rw blk_serial)" = tgserial-rw
tap_check "rw: the write completed with status 0 (OK)" test "$(info rw blk_write_status)" = 0
cp "$work/orig.img" "$work/expect.img"
head -c 512 /dev/zero | tr '\0' '\132' |
	dd of="$work/expect.img" bs=512 seek=3 conv=notrunc 2>/dev/null
tap_check "rw: the file holds 0x5a in sector 3 and nothing else changed" \
	cmp -s "$work/disk.img" "$work/expect.img"

# Which BARs the guest had to assign depends on the firmware: qboot leaves
# them at 0, SeaBIOS assigns them. One boot under SeaBIOS covers the other
# path (skipped when qboot was not found: the runs above used SeaBIOS).
case $machine in
*-bios*)
	tap_check "rw: the guest assigned the BARs qboot left unassigned" \
		test "$(info rw pci_bars_assigned_by_guest)" -gt 0
	saved_machine=$machine
	machine="-M q35 -nic none"
	# shellcheck disable=SC2046
	boot seabios 1 "test=pci,blk" $(blk_args "$work/orig.img" tgserial-sb ,readonly=on)
	machine=$saved_machine
	results seabios
	tap_check "seabios: the guest used the BARs SeaBIOS assigned" \
		test "$(info seabios pci_bars_assigned_by_guest)" = 0
	tap_check "seabios: the guest's CRC-32 of the disk is the host's ($crc)" \
		test "$(info seabios blk_crc32)" = "$crc"
	;;
*)
	tap_skip "qboot: BARs assigned by the guest" "no qboot.rom found"
	;;
esac

# QEMU microvm's PCIe has ECAM only, at 0xe0000000, and no MCFG to say so;
# no firmware assigns its BARs.
saved_machine=$machine
machine="-M microvm,pcie=on"
# shellcheck disable=SC2046
boot microvm 1 "test=pci,blk,rng pci_ecam=0xe0000000" \
	$(blk_args "$work/orig.img" tgserial-mv ,readonly=on) -device virtio-rng-pci,disable-legacy=on
machine=$saved_machine
results microvm
has microvm "INFO pci_access=ecam ecam_base=0xe0000000"
tap_check "microvm: the guest's CRC-32 of the disk is the host's ($crc)" \
	test "$(info microvm blk_crc32)" = "$crc"

# The same write to a read-only drive: refused (IOERR), file unchanged.
cp "$work/orig.img" "$work/ro.img"
# shellcheck disable=SC2046
boot ro 1 "test=blk blk_write=5:0xa5 blk_expect_ro=1" $(blk_args "$work/ro.img" tgserial-ro ,readonly=on)
results ro
tap_check "ro: the guest's CRC-32 of the disk is the host's ($crc)" test "$(info ro blk_crc32)" = "$crc"
tap_check "ro: the write completed with status 1 (IOERR)" test "$(info ro blk_write_status)" = 1
tap_check "ro: the file is unchanged" cmp -s "$work/ro.img" "$work/orig.img"

# console: lines sent to port 0 come back. QEMU's pipe chardev reads
# PATH.in and writes PATH.out; a reader collects the output, and the input
# is written once the guest said hello.
mkfifo "$work/con.in" "$work/con.out"
cat "$work/con.out" >"$work/con.log" &
reader=$!
boot console 1 "test=console console_timeout_ms=10000" -device virtio-serial-pci,disable-legacy=on \
	-chardev "pipe,id=c0,path=$work/con" -device virtconsole,chardev=c0 &
qemu_job=$!
tries=0
until grep -q '^CONSOLE-HELLO' "$work/con.log" 2>/dev/null || [ $tries -ge 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
printf 'hello virtio\r\nsecond line\nquit\n' >"$work/con.in"
wait $qemu_job
kill $reader 2>/dev/null
wait $reader 2>/dev/null
results console
tr -d '\r' <"$work/con.log" >"$work/con.txt"
for line in CONSOLE-HELLO "CONSOLE-ECHO hello virtio" "CONSOLE-ECHO second line"; do
	tap_check "console: the host received '$line'" grep -qxF "$line" "$work/con.txt"
done

# badring: each hostile ring in its own boot; QEMU must survive each.
for kind in loop oob len long avail; do
	# shellcheck disable=SC2046
	boot "bad-$kind" 1 "test=badring badring=$kind" $(blk_args "$work/disk.img" tgserial-bad)
	results "bad-$kind"
done

# Our own device processes as the backends of QEMU's vhost-user-blk-pci
# and vhost-user-rng-pci: the same guest driver against devices/virtio-blk
# and devices/virtio-rng (guest memory in a shared memfd). Their sandbox
# needs root.
vu_blk=$top_builddir/devices/virtio-blk
vu_rng=$top_builddir/devices/virtio-rng
if [ ! -x "$vu_blk" ] || [ ! -x "$vu_rng" ]; then
	tap_skip "vhost-user: devices/virtio-blk and -rng" "not built ($vu_blk, $vu_rng)"
elif [ "$(id -u)" -ne 0 ]; then
	tap_skip "vhost-user: devices/virtio-blk and -rng" "their sandbox needs root"
else
	# vu_boot NAME APPEND QEMU_DEVICE DEVICE_PROGRAM [ARGS...]: one boot
	# with the device process on a fresh socket; it must exit once QEMU
	# hangs up.
	vu_boot() {
		vu_name=$1 vu_append=$2 vu_qdev=$3
		shift 3
		"$@" --socket-path "$work/$vu_name.sock" 2>"$work/$vu_name.dev.err" </dev/null &
		vu_pid=$!
		wait_for_socket "$work/$vu_name.sock"
		boot "$vu_name" 1 "$vu_append" -object memory-backend-memfd,id=mem,size=${mem_mib}M,share=on \
			-numa node,memdev=mem -chardev "socket,id=c0,path=$work/$vu_name.sock" \
			-device "$vu_qdev,chardev=c0"
		tries=0
		while kill -0 $vu_pid 2>/dev/null && [ $tries -lt 50 ]; do
			sleep 0.1
			tries=$((tries + 1))
		done
		if kill -0 $vu_pid 2>/dev/null; then
			kill $vu_pid
			tap_not_ok "$vu_name: the device exited when QEMU hung up"
		else
			tap_ok "$vu_name: the device exited when QEMU hung up"
		fi
		wait $vu_pid 2>/dev/null
	}
	vu_blk_dev=vhost-user-blk-pci,disable-legacy=on

	cp "$work/orig.img" "$work/vu.img"
	vu_boot vu-rw "test=blk blk_write=3:0x5a blk_expect_ro=0" "$vu_blk_dev" \
		"$vu_blk" --blk-file "$work/vu.img" --serial tgserial-vu
	results vu-rw
	tap_check "vu-rw: the guest's CRC-32 of the disk is the host's ($crc)" test "$(info vu-rw blk_crc32)" = "$crc"
	tap_check "vu-rw: the guest read the device's serial" test "$(info vu-rw blk_serial)" = tgserial-vu
	tap_check "vu-rw: the write completed with status 0 (OK)" test "$(info vu-rw blk_write_status)" = 0
	tap_check "vu-rw: the file holds 0x5a in sector 3 and nothing else changed" \
		cmp -s "$work/vu.img" "$work/expect.img"

	cp "$work/orig.img" "$work/vu.img"
	vu_boot vu-ro "test=blk blk_write=5:0xa5 blk_expect_ro=1" "$vu_blk_dev" \
		"$vu_blk" --blk-file "$work/vu.img" --read-only
	results vu-ro
	tap_check "vu-ro: the write completed with status 1 (IOERR)" test "$(info vu-ro blk_write_status)" = 1
	tap_check "vu-ro: the file is unchanged" cmp -s "$work/vu.img" "$work/orig.img"

	for kind in loop oob len long avail; do
		vu_boot "vu-bad-$kind" "test=badring badring=$kind" "$vu_blk_dev" \
			"$vu_blk" --blk-file "$work/orig.img" --read-only
		results "vu-bad-$kind"
	done

	# QEMU 7.2's vhost-user-rng-pci is modern only, with one MSI-X entry
	# that the queue and configuration changes share.
	vu_boot vu-rng "test=rng" vhost-user-rng-pci "$vu_rng"
	results vu-rng
fi

tap_done
