#!/bin/sh
# bench/blk: the same disk image, the same `debian` guest under QEMU (TCG,
# q35, vhost-user-blk-pci), served once by our devices/virtio-blk and once
# by qemu-storage-daemon's vhost-user-blk export, alternating, RUNS times
# each. Inside the guest, bench/blk-io measures sequential read and write
# MB/s and 4 KiB random-read IOPS with O_DIRECT. The host's own read rate
# of the file is printed as the ceiling.
#
#   bench/blk.sh [BUILDDIR]        (default out/build; RUNS=3 SIZE_MIB=256)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/out/build}
runs=${RUNS:-3}
size_mib=${SIZE_MIB:-256}
ours=$build/devices/virtio-blk
pkg=$build/out/debian

[ -x "$ours" ] || { echo "bench/blk: $ours missing: build first (scripts/build.sh)" >&2; exit 1; }
command -v qemu-storage-daemon >/dev/null || { echo "bench/blk: qemu-storage-daemon missing (scripts/setup.sh)" >&2; exit 1; }
[ -f "$pkg/debian.json" ] || sh "$root/scripts/build-debian-guest.sh" "$pkg" >/dev/null

work=$(mktemp -d)
backend_pid=
cleanup() {
	[ -z "$backend_pid" ] || kill "$backend_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# The guest gets blk-io in a second cpio archive appended to the package's
# initramfs (the kernel unpacks concatenated archives in turn; an
# uncompressed one must start 4-byte aligned, hence the zero padding).
mkdir -p "$work/extra/bin"
${CC:-cc} -static -O2 -o "$work/extra/bin/blk-io" "$root/bench/blk-io.c"
(cd "$work/extra" && find . | cpio -o -H newc --quiet) >"$work/extra.cpio"
pad=$(((4 - $(wc -c <"$pkg/initrd.img") % 4) % 4))
{ cat "$pkg/initrd.img"; head -c "$pad" /dev/zero; cat "$work/extra.cpio"; } >"$work/initrd"

head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$work/disk.img"
sync
host_line=$(dd if="$work/disk.img" of=/dev/null bs=1M iflag=direct 2>&1 | tail -n1)

cat >"$work/guest.sh" <<'SCRIPT'
/bin/blk-io seqread /dev/vda
/bin/blk-io randread /dev/vda 5
/bin/blk-io seqwrite /dev/vda
SCRIPT
tsc_khz=$(cat /sys/devices/system/cpu/cpu0/tsc_freq_khz 2>/dev/null ||
	awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)

# start_backend NAME SOCKET: one vhost-user-blk backend on the disk image.
start_backend() {
	case $1 in
	guestmgr) "$ours" --socket-path "$2" --blk-file "$work/disk.img" & ;;
	qsd) qemu-storage-daemon \
		--blockdev driver=file,node-name=disk0,filename="$work/disk.img" \
		--export type=vhost-user-blk,id=exp0,node-name=disk0,writable=on,addr.type=unix,addr.path="$2" & ;;
	esac
	backend_pid=$!
	i=0
	while [ ! -S "$2" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

# run_guest NAME: boot the guest against backend NAME, append its blk-io lines.
run_guest() {
	sock=$work/$1.sock
	rm -f "$sock"
	start_backend "$1" "$sock"
	timeout 300 qemu-system-x86_64 -accel tcg -M q35 -m 512 -smp 1 -nographic -no-reboot \
		-object memory-backend-memfd,id=mem,size=512M,share=on -numa node,memdev=mem \
		-chardev socket,id=blk0,path="$sock" -device vhost-user-blk-pci,chardev=blk0 \
		-kernel "$pkg/vmlinuz" -initrd "$work/initrd" \
		-append "console=ttyS0 reboot=k panic=-1 tsc_early_khz=$tsc_khz cryptomgr.notests gm.script=$(base64 -w0 "$work/guest.sh") gm.run=poweroff" \
		</dev/null 2>&1 | tr -d '\r' | grep '^blk-io ' | sed "s/^/$1 /" >>"$work/results" || true
	kill "$backend_pid" 2>/dev/null || true
	wait "$backend_pid" 2>/dev/null || true
	backend_pid=
}

i=0
while [ "$i" -lt "$runs" ]; do
	run_guest guestmgr
	run_guest qsd
	i=$((i + 1))
done

echo "bench/blk: $size_mib MiB raw image, debian guest under QEMU TCG, vhost-user-blk-pci, $runs runs each (median)"
echo "host ceiling (dd, O_DIRECT, 1 MiB): $host_line"
awk -v runs="$runs" '
{ who = $1; mode = $3; for (f = 4; f <= NF; f++) { split($f, kv, "="); v[who, mode, kv[1], ++n[who, mode, kv[1]]] = kv[2] } }
function median(who, mode, key,    c, i, j, t, s) {
	c = n[who, mode, key]
	if (!c) return -1
	for (i = 1; i <= c; i++) s[i] = v[who, mode, key, i]
	for (i = 2; i <= c; i++) { t = s[i]; for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]; s[j + 1] = t }
	return (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
}
END {
	printf "%-26s %14s %20s %7s\n", "measure", "guestmgr", "qemu-storage-daemon", "ratio"
	row("sequential read MB/s", "seqread", "mbps")
	row("sequential write MB/s", "seqwrite", "mbps")
	row("4 KiB random read IOPS", "randread", "iops")
}
function row(label, mode, key,    a, b) {
	a = median("guestmgr", mode, key); b = median("qsd", mode, key)
	printf "%-26s %14s %20s %7s\n", label, a < 0 ? "-" : a, b < 0 ? "-" : b, (a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "-"
}' "$work/results"
