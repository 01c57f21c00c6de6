#!/bin/sh
# bench/blk: one disk image served once by our devices/virtio-blk and once
# by qemu-storage-daemon's vhost-user-blk export, alternating, RUNS times
# each, measured two ways:
# - in the guest: the `debian` guest under QEMU (TCG, q35,
#   vhost-user-blk-pci) runs bench/blk-io, sequential read and write MB/s
#   and 4 KiB random-read and random-write IOPS (a flush every 16 writes)
#   with O_DIRECT;
# - on the host: bench/blk-host drives each backend as the vmm's vhost-user
#   frontend with no guest, the same loads plus random reads 16 deep, and
#   runs them on the file itself (the "file" column: the ceiling).
#
#   bench/blk.sh [BUILDDIR]  (default out/build; RUNS=3 SIZE_MIB=256 HOST_SECONDS=3)
#   FORMAT=qcow2: each backend serves a new qcow2 overlay on the raw image
#   (every first write into a cluster allocates it); HOST_ONLY=1: the host
#   side only (no guest, no KVM or TCG needed).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/out/build}
runs=${RUNS:-3}
size_mib=${SIZE_MIB:-256}
ours=$build/devices/virtio-blk
blk_host=$build/bench/blk-host
host_seconds=${HOST_SECONDS:-3}
pkg=$build/out/packages/debian
format=${FORMAT:-raw}
host_only=${HOST_ONLY:-0}
case $format in raw | qcow2) ;; *) echo "bench/blk: FORMAT is raw or qcow2" >&2; exit 1 ;; esac

for prog in "$ours" "$blk_host"; do
	[ -x "$prog" ] || { echo "bench/blk: $prog missing: build first (scripts/build.sh)" >&2; exit 1; }
done
command -v qemu-storage-daemon >/dev/null || { echo "bench/blk: qemu-storage-daemon missing (scripts/setup.sh)" >&2; exit 1; }
[ "$host_only" = 1 ] || [ -f "$pkg/guest.json" ] ||
	sh "$root/scripts/build-debian-guest.sh" "$pkg" >/dev/null

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
if [ "$host_only" != 1 ]; then
	mkdir -p "$work/extra/bin"
	${CC:-cc} -static -O2 -o "$work/extra/bin/blk-io" "$root/bench/blk-io.c"
	(cd "$work/extra" && find . | cpio -o -H newc --quiet) >"$work/extra.cpio"
	pad=$(((4 - $(wc -c <"$pkg/initrd.img") % 4) % 4))
	{ cat "$pkg/initrd.img"; head -c "$pad" /dev/zero; cat "$work/extra.cpio"; } >"$work/initrd"
fi

head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$work/disk.img"

# qemu-storage-daemon's export offers CONFIG_WCE with writeback = 0: the
# guest then takes the disk for write-through and its fsync sends no FLUSH,
# while the daemon writes into the host's page cache and never syncs. The
# guest switches the cache to write back (which our device reports from the
# start), so both backends get, and pay for, the flush at the end of seqwrite.
cat >"$work/guest.sh" <<'SCRIPT'
echo "write back" >/sys/block/vda/cache_type 2>/dev/null
echo "blk-io cache write_cache=$(tr ' ' - </sys/block/vda/queue/write_cache)"
/bin/blk-io seqread /dev/vda 3
/bin/blk-io randread /dev/vda 3
/bin/blk-io randwrite /dev/vda 3
/bin/blk-io seqwrite /dev/vda 3
SCRIPT
tsc_khz=$(cat /sys/devices/system/cpu/cpu0/tsc_freq_khz 2>/dev/null ||
	awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)

# start_backend NAME SOCKET: one vhost-user-blk backend on the disk image
# (for qcow2, a new overlay on it).
start_backend() {
	if [ "$format" = qcow2 ]; then
		rm -f "$work/disk.qcow2"
		qemu-img create -q -f qcow2 -b disk.img -F raw "$work/disk.qcow2"
	fi
	case $1:$format in
	guestmgr:raw) "$ours" --socket-path "$2" --blk-file "$work/disk.img" & ;;
	guestmgr:qcow2) "$ours" --socket-path "$2" --blk-file "$work/disk.qcow2" --format qcow2 \
		--backing same-dir & ;;
	qsd:raw) qemu-storage-daemon \
		--blockdev driver=file,node-name=disk0,filename="$work/disk.img" \
		--export type=vhost-user-blk,id=exp0,node-name=disk0,writable=on,addr.type=unix,addr.path="$2" & ;;
	qsd:qcow2) qemu-storage-daemon \
		--blockdev driver=qcow2,node-name=disk0,file.driver=file,file.filename="$work/disk.qcow2" \
		--export type=vhost-user-blk,id=exp0,node-name=disk0,writable=on,addr.type=unix,addr.path="$2" & ;;
	esac
	backend_pid=$!
	tries=0
	while [ ! -S "$2" ] && [ "$tries" -lt 100 ]; do sleep 0.05; tries=$((tries + 1)); done
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

# host_run NAME MODE [DEPTH]: blk-host drives a fresh backend NAME (or,
# for NAME file, the image itself) for HOST_SECONDS.
host_run() {
	if [ "$1" = file ]; then
		target="--file $work/disk.img"
	else
		sock=$work/$1.host.sock
		rm -f "$sock"
		start_backend "$1" "$sock"
		target="--socket $sock"
	fi
	# shellcheck disable=SC2086
	"$blk_host" $target "$2" --seconds "$host_seconds" --depth "${3:-1}" |
		sed "s/^blk-host $2 /$1 blk-host host-$2${3:+-qd$3} /" >>"$work/results" ||
		echo "bench/blk: blk-host $2 against $1 failed" >&2
	if [ "$1" != file ]; then
		kill "$backend_pid" 2>/dev/null || true
		wait "$backend_pid" 2>/dev/null || true
		backend_pid=
	fi
}

run=0
while [ "$run" -lt "$runs" ]; do
	if [ "$host_only" != 1 ]; then
		run_guest guestmgr
		run_guest qsd
	fi
	for who in guestmgr qsd file; do
		host_run "$who" seqread
		host_run "$who" seqwrite
		host_run "$who" randread
		host_run "$who" randwrite
		[ "$who" = file ] || host_run "$who" randread 16
	done
	run=$((run + 1))
done

echo "bench/blk: $size_mib MiB $format image, $runs runs each (median)"
awk '
$3 == "cache" { split($4, kv, "="); cache[$1] = kv[2]; next }
{ who = $1; mode = $3; for (f = 4; f <= NF; f++) { split($f, kv, "="); v[who, mode, kv[1], ++n[who, mode, kv[1]]] = kv[2] } }
function median(who, mode, key,    c, i, j, t, s) {
	c = n[who, mode, key]
	if (!c) return -1
	for (i = 1; i <= c; i++) s[i] = v[who, mode, key, i]
	for (i = 2; i <= c; i++) { t = s[i]; for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]; s[j + 1] = t }
	return (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
}
function show(x) { return x < 0 ? "-" : x }
function row(label, mode, key,    a, b, c) {
	a = median("guestmgr", mode, key); b = median("qsd", mode, key); c = median("file", mode, key)
	printf "%-34s %10s %10s %7s %10s\n", label, show(a), show(b),
		(a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "-", show(c)
}
END {
	if (guest) {
		printf "%-34s %10s %10s %7s %10s\n", "in the debian guest (QEMU TCG)", "guestmgr", "qsd", "ratio", ""
		printf "%-34s %10s %10s\n", "the guest'"'"'s write cache", cache["guestmgr"], cache["qsd"]
		row("sequential read MB/s", "seqread", "mbps")
		row("sequential write MB/s", "seqwrite", "mbps")
		row("4 KiB random read IOPS", "randread", "iops")
		row("4 KiB random write IOPS, flush/16", "randwrite", "iops")
	}
	printf "%-34s %10s %10s %7s %10s\n", "host side (blk-host, no guest)", "guestmgr", "qsd", "ratio", "file"
	row("sequential read MB/s", "host-seqread", "mbps")
	row("sequential write MB/s", "host-seqwrite", "mbps")
	row("4 KiB random read IOPS", "host-randread", "iops")
	row("4 KiB random write IOPS, flush/16", "host-randwrite", "iops")
	row("4 KiB random read IOPS, depth 16", "host-randread-qd16", "iops")
}' guest=$((host_only != 1)) "$work/results"
