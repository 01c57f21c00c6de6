#!/bin/sh
# QCOW2 through devices/disk/ against the real qemu-img: images qemu-img
# makes read back right (empty, converted, compressed, with raw and qcow2
# backing files), and after our writes qemu-img check finds no errors or
# leaks and qemu-img convert reads back what we wrote.
. "$top_srcdir/tests/lib.sh"

command -v qemu-img >/dev/null || tap_skip_all "qemu-img not installed (Debian package qemu-utils)"
tool=$top_builddir/tests/integration/disk-tool
dir=$(mktemp -d /tmp/disk-qcow2.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

# A pattern that is half random (incompressible), half text (compressible),
# with a hole, so every kind of cluster appears.
head -c 1572864 /dev/urandom >pattern.raw
yes "guestmgr disk test line" | head -c 1048576 >>pattern.raw
truncate -s 4M pattern.raw
truncate -s 4M zeros.raw

# check_image NAME REF: qemu-img check is clean and convert gives REF.
check_image() {
	out=$(qemu-img check "$1" 2>&1)
	rc=$?
	tap_check "$1: qemu-img check exits 0 (no errors, no leaks)" [ "$rc" -eq 0 ]
	case $out in *"No errors were found"*) ;; *) tap_diag "$out" ;; esac
	qemu-img convert -O raw "$1" "$1.back.raw" &&
		tap_check "$1: qemu-img convert -O raw equals what we wrote" cmp -s "$1.back.raw" "$2"
}

qemu-img create -q -f qcow2 empty.qcow2 4M
tap_check "empty image (qemu-img create) reads as zeros" "$tool" -f qcow2 -m ro empty.qcow2 compare zeros.raw
tap_check "empty image: size is 4 MiB" [ "$("$tool" -f qcow2 -m ro empty.qcow2 size)" = 4194304 ]

qemu-img convert -f raw -O qcow2 pattern.raw converted.qcow2
tap_check "qemu-img convert -O qcow2 reads back the raw file" "$tool" -f qcow2 -m ro converted.qcow2 compare pattern.raw
qemu-img convert -f raw -O qcow2 -o compat=0.10 pattern.raw v2.qcow2
tap_check "version 2 image reads back the raw file" "$tool" -f qcow2 -m ro v2.qcow2 compare pattern.raw
qemu-img convert -c -f raw -O qcow2 pattern.raw compressed.qcow2
tap_check "compressed image (convert -c) reads back the raw file" "$tool" -f qcow2 -m ro compressed.qcow2 compare pattern.raw
qemu-img convert -c -f raw -O qcow2 -o cluster_size=512 pattern.raw compressed512.qcow2
tap_check "compressed image with 512-byte clusters reads back" "$tool" -f qcow2 -m ro compressed512.qcow2 compare pattern.raw

qemu-img create -q -f qcow2 -b pattern.raw -F raw over-raw.qcow2
tap_check "overlay on a raw backing file reads the backing file" "$tool" -f qcow2 -m ro -b same-dir over-raw.qcow2 compare pattern.raw
qemu-img create -q -f qcow2 -b compressed.qcow2 -F qcow2 over-qcow2.qcow2
tap_check "overlay on a compressed qcow2 backing file reads it" "$tool" -f qcow2 -m ro -b same-dir over-qcow2.qcow2 compare pattern.raw
head -c 1000000 pattern.raw >short.raw
qemu-img create -q -f qcow2 -b short.raw -F raw over-short.qcow2 4M
cp zeros.raw short-ref.raw && dd if=short.raw of=short-ref.raw conv=notrunc status=none
tap_check "a backing file shorter than the image reads zeros past its end" "$tool" -f qcow2 -m ro -b same-dir over-short.qcow2 compare short-ref.raw
mkdir sub && qemu-img create -q -f qcow2 -b ../over-raw.qcow2 -F qcow2 sub/chain.qcow2
tap_check "a chain of three, names relative to each image" "$tool" -f qcow2 -m ro -b any sub/chain.qcow2 compare pattern.raw

# Our writes: random sector-granular offsets and lengths (partial clusters,
# cluster-crossing writes), over each kind of image.
n=0
for spec in "empty.qcow2 zeros.raw" "converted.qcow2 pattern.raw" "v2.qcow2 pattern.raw" \
	"compressed.qcow2 pattern.raw" "compressed512.qcow2 pattern.raw" \
	"over-raw.qcow2 pattern.raw" "over-qcow2.qcow2 pattern.raw" "over-short.qcow2 short-ref.raw"; do
	set -- $spec
	n=$((n + 1))
	# A copy, so the backing files the overlays use stay as they are.
	cp "$1" "w$n.qcow2" && cp "$2" "ref$n.raw"
	tap_check "copy of $1: 150 random writes, then reads equal the reference" \
		"$tool" -f qcow2 -b same-dir "w$n.qcow2" random-writes "$n" 150 "ref$n.raw" flush compare "ref$n.raw"
	check_image "w$n.qcow2" "ref$n.raw"
done

# Refcount widths and cluster sizes qemu-img offers; 512-byte clusters on
# 64 MiB outgrow the first refcount table.
for opts in cluster_size=512 refcount_bits=1 refcount_bits=2,cluster_size=1024 refcount_bits=8 \
	refcount_bits=64 cluster_size=2M; do
	n=$((n + 1))
	qemu-img create -q -f qcow2 -o "$opts" "opts$n.qcow2" 4M
	cp zeros.raw "ref$n.raw"
	tap_check "$opts: random writes read back" \
		"$tool" -f qcow2 "opts$n.qcow2" random-writes "$n" 150 "ref$n.raw" compare "ref$n.raw"
	check_image "opts$n.qcow2" "ref$n.raw"
done
for opts in preallocation=metadata preallocation=falloc lazy_refcounts=on; do
	n=$((n + 1))
	qemu-img create -q -f qcow2 -o "$opts" "opts$n.qcow2" 4M
	cp zeros.raw "ref$n.raw"
	tap_check "$opts: reads as zeros, then random writes read back" \
		"$tool" -f qcow2 "opts$n.qcow2" compare "ref$n.raw" random-writes "$n" 100 "ref$n.raw" compare "ref$n.raw"
	check_image "opts$n.qcow2" "ref$n.raw"
done
qemu-img create -q -f qcow2 -o cluster_size=512 grow.qcow2 64M
truncate -s 64M grow-ref.raw
reftable_before=$(od -An -t x1 -j 48 -N 8 grow.qcow2)
tap_check "64 MiB with 512-byte clusters: 300 random writes read back" \
	"$tool" -f qcow2 grow.qcow2 random-writes 99 300 grow-ref.raw compare grow-ref.raw
tap_check "the refcount table moved (it had to grow)" [ "$(od -An -t x1 -j 48 -N 8 grow.qcow2)" != "$reftable_before" ]
check_image grow.qcow2 grow-ref.raw

# Write-zeroes and discard (version 3: zero clusters).
cp pattern.raw zref.raw
zero_ref() { dd if=/dev/zero of=zref.raw bs=512 seek=$(($1 / 512)) count=$(($2 / 512)) conv=notrunc status=none; }
qemu-img convert -f raw -O qcow2 pattern.raw zeroed.qcow2
blocks_before=$(stat -c %b zeroed.qcow2)
"$tool" -f qcow2 zeroed.qcow2 zero 4096 131072 zero-unmap 524288 200704 discard 1048576 262144
zero_ref 4096 131072; zero_ref 524288 200704; zero_ref 1048576 262144
tap_check "write-zeroes (partial and whole clusters) and discard of whole clusters read as zeros" \
	"$tool" -f qcow2 -m ro zeroed.qcow2 compare zref.raw
tap_check "discarded clusters give their space back ($blocks_before -> $(stat -c %b zeroed.qcow2) blocks)" \
	[ "$(stat -c %b zeroed.qcow2)" -lt "$blocks_before" ]
check_image zeroed.qcow2 zref.raw
qemu-img create -q -f qcow2 -b pattern.raw -F raw zover.qcow2
cp pattern.raw zref.raw
"$tool" -f qcow2 -b same-dir zover.qcow2 zero 65536 131072 && zero_ref 65536 131072
tap_check "write-zeroes over a backing file hides the backing data" \
	"$tool" -f qcow2 -m ro -b same-dir zover.qcow2 compare zref.raw
check_image zover.qcow2 zref.raw
err=$("$tool" -f qcow2 v2.qcow2 zero 0 65536 2>&1)
case $err in
*"not supported"*) tap_ok "version 2: write-zeroes is reported unsupported" ;;
*) tap_not_ok "version 2: write-zeroes is reported unsupported"; tap_diag "$err" ;;
esac

# What we refuse, with the reason. expect_refusal DESC TEXT IMAGE [MODE].
expect_refusal() {
	if out=$("$tool" -f qcow2 -m "${4:-ro}" -b same-dir "$3" size 2>&1); then
		tap_not_ok "$1"
	else
		case $out in
		*"$2"*) tap_ok "$1" ;;
		*) tap_not_ok "$1"; tap_diag "$out" ;;
		esac
	fi
}
qemu-img create -q -f qcow2 -o extended_l2=on extl2.qcow2 4M
expect_refusal "extended L2 entries are refused" "extended L2 entries (incompatible feature bit 4) not supported" extl2.qcow2
if qemu-img create -q -f qcow2 -o compression_type=zstd zstd.qcow2 4M 2>/dev/null; then
	expect_refusal "zstd compression is refused" "compression_type 1 not supported, only 0 (deflate)" zstd.qcow2
else
	tap_skip "zstd compression is refused" "this qemu-img has no zstd"
fi
qemu-img create -q -f qcow2 -o data_file=data.raw datafile.qcow2 4M
expect_refusal "an external data file is refused" "external data file (incompatible feature bit 2) not supported" datafile.qcow2
cp converted.qcow2 snap.qcow2 && qemu-img snapshot -c s1 snap.qcow2
expect_refusal "internal snapshots: writing is refused" "1 internal snapshots: writing images with snapshots is not supported" snap.qcow2 rw
tap_check "internal snapshots: read-only reads the active image" "$tool" -f qcow2 -m ro snap.qcow2 compare pattern.raw
qemu-img create -q -u -f qcow2 -b missing.raw -F raw missing.qcow2 4M
expect_refusal "a missing backing file is named" "backing file 'missing.raw': missing.raw: No such file or directory" missing.qcow2

tap_done
