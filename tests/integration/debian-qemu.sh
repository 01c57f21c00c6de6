#!/bin/sh
# Boots the `debian` guest package (scripts/build-debian-guest.sh) under
# QEMU with TCG, so real Linux virtio drivers run even where KVM cannot run
# Linux (see DESIGN: KVM here is software-assisted). The guest runs a
# gm.script that lists its modules and bound virtio drivers and hashes its
# virtio disk, then powers off by itself.
. "$top_srcdir/tests/lib.sh"

command -v qemu-system-x86_64 >/dev/null ||
	tap_skip_all "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"

. "$top_srcdir/tests/debian-package.sh"

timeout_s=60
work=$(mktemp -d "${TMPDIR:-/tmp}/debian-qemu.XXXXXX")
trap 'rm -rf "$work"' EXIT

debian_package || { tap_done; exit; }
kernel=$debian_kernel
ramdisk=$debian_ramdisk
tap_check "guest.json names a kernel and a ramdisk that are in the package" \
	test -f "$kernel" -a -f "$ramdisk"

# The modules /init loads, in its order, as shipped in the initramfs.
case $(od -An -t x1 -N 4 "$ramdisk" | tr -d ' \n') in
28b52ffd) unpack="zstd -dcq" ;;
1f8b*) unpack="gzip -dc" ;;
*) unpack=false ;;
esac
$unpack "$ramdisk" | (cd "$work" && cpio -i --quiet --to-stdout etc/guestmgr/modules) >"$work/modules"
tap_check "the initramfs lists the modules /init loads" test -s "$work/modules"

# A disk with random content: the guest's md5 of /dev/vda must match.
head -c 4194304 /dev/urandom >"$work/disk.img"
disk_md5=$(md5sum <"$work/disk.img" | cut -d' ' -f1)

drivers="virtio_blk virtio_net virtio_console virtio_balloon virtio_rng"
cat >"$work/guest.sh" <<EOF
cat /proc/modules
for d in $drivers; do
	ls /sys/bus/virtio/drivers/\$d | grep -q '^virtio[0-9]' && echo "bound \$d"
done
echo "vda-md5 \$(md5sum </dev/vda)"
exit 7
EOF

tsc_khz=$(host_tsc_khz)

start_ns=$(date +%s%N)
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -M q35 -m 512 -smp 1 \
	-nographic -no-reboot \
	-kernel "$kernel" -initrd "$ramdisk" \
	-append "console=ttyS0 reboot=k panic=-1 tsc_early_khz=$tsc_khz cryptomgr.notests gm.script=$(base64 -w0 "$work/guest.sh") gm.run=poweroff" \
	-drive file="$work/disk.img",if=none,id=disk0,format=raw \
	-device virtio-blk-pci,drive=disk0 \
	-netdev hubport,id=net0,hubid=0 -device virtio-net-pci,netdev=net0,romfile= \
	-device virtio-serial-pci -device virtio-balloon-pci -device virtio-rng-pci \
	</dev/null >"$work/console.raw" 2>&1
qemu_status=$?
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
tr -d '\r' <"$work/console.raw" >"$work/console.log"

if [ "$qemu_status" -eq 0 ] && grep -q 'reboot: Power down' "$work/console.log"; then
	tap_ok "the guest powered off by itself (QEMU exited 0 after $elapsed_ms ms)"
else
	tap_not_ok "the guest powered off by itself (QEMU status $qemu_status after $elapsed_ms ms; 124 is the ${timeout_s} s timeout)"
fi

ready=$(sed -n 's/^GUESTMGR-READY uptime=\([0-9.]*\)$/\1/p' "$work/console.log")
tap_check "the guest printed the ready marker" test -n "$ready"
tap_diag "boot under TCG: ready marker at guest uptime ${ready:-?} s; QEMU ran ${elapsed_ms} ms in all"

missing=
while read -r module; do
	grep -q "^$module " "$work/console.log" || missing="$missing $module"
done <"$work/modules"
tap_check "the $(wc -l <"$work/modules") modules of the package are in the guest's /proc/modules" \
	test -z "$missing"
[ -z "$missing" ] || tap_diag "not loaded:$missing"

for d in $drivers; do
	tap_check "$d is bound to its QEMU device" grep -qx "bound $d" "$work/console.log"
done
tap_check "md5 of /dev/vda in the guest matches the disk image" \
	grep -qx "vda-md5 $disk_md5  -" "$work/console.log"
tap_check "the script's exit status was printed" \
	grep -qx 'GUESTMGR-SCRIPT-EXIT 7' "$work/console.log"

[ "$tap_failed" -eq 0 ] || tap_diag "console (last 40 lines):" "$(tail -n 40 "$work/console.log")"
tap_done
