#!/bin/sh
# devices/disk/ modes and the raw format: read-write raw (write, flush,
# discard, write-zeroes), volatile (reads see writes, the file stays as it
# was) and read-only (EROFS, the file stays as it was), on raw, qcow2 and a
# qcow2 overlay on a raw backing file; the volatile overlay's memory and
# limit.
. "$top_srcdir/tests/lib.sh"

command -v qemu-img >/dev/null || tap_skip_all "qemu-img not installed (Debian package qemu-utils)"
tool=$top_builddir/tests/integration/disk-tool
dir=$(mktemp -d /tmp/disk-modes.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

head -c 2097152 /dev/urandom >pattern.raw
head -c 65536 /dev/urandom >chunk
zero_at() { dd if=/dev/zero of="$1" bs=512 seek=$(($2 / 512)) count=$(($3 / 512)) conv=notrunc status=none; }
put_at() { dd if="$2" of="$1" bs=512 seek=$(($3 / 512)) conv=notrunc status=none; }

# Raw, read-write.
cp pattern.raw disk.raw && cp pattern.raw ref.raw
"$tool" disk.raw write 131072 chunk flush && put_at ref.raw chunk 131072
tap_check "raw: a write and a flush land in the file" cmp -s disk.raw ref.raw
cp disk.raw ref2.raw
tap_check "raw: 100 random writes read back" "$tool" disk.raw random-writes 1 100 ref2.raw compare ref2.raw
tap_check "raw: the file holds the random writes" cmp -s disk.raw ref2.raw
blocks_before=$(stat -c %b disk.raw)
"$tool" disk.raw discard 0 1048576 && zero_at ref2.raw 0 1048576
tap_check "raw: discard punches a hole (reads zeros)" cmp -s disk.raw ref2.raw
tap_check "raw: discard frees blocks ($blocks_before -> $(stat -c %b disk.raw))" [ "$(stat -c %b disk.raw)" -lt "$blocks_before" ]
"$tool" disk.raw zero 1048576 4096 zero-unmap 1052672 8192 && zero_at ref2.raw 1048576 12288
tap_check "raw: write-zeroes with and without unmap read as zeros" cmp -s disk.raw ref2.raw
tap_check "raw: the size stays (write-zeroes and discard keep it)" [ "$(stat -c %s disk.raw)" -eq 2097152 ]

# expect_erofs DESC COMMAND...: fails with EROFS.
expect_erofs() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		tap_not_ok "$desc"
	else
		case $out in
		*"Read-only file system"*) tap_ok "$desc" ;;
		*) tap_not_ok "$desc"; tap_diag "$out" ;;
		esac
	fi
}

qemu-img convert -f raw -O qcow2 pattern.raw image.qcow2
cp pattern.raw base.raw && qemu-img create -q -f qcow2 -b base.raw -F raw overlay.qcow2
base_sum=$(md5sum <base.raw)
for img in pattern.raw image.qcow2 overlay.qcow2; do
	case $img in *.raw) fmt=raw ;; *) fmt=qcow2 ;; esac
	sum=$(md5sum <"$img")

	# random-writes records only its own writes in scratch.raw; vref.raw
	# gets the same sequence from a raw disk.
	cp pattern.raw scratch.raw
	"$tool" -f $fmt -m volatile -b same-dir "$img" write 4096 chunk zero 200704 8192 discard 524288 65536 \
		random-writes 2 50 scratch.raw read 0 2097152 volatile.out
	cp pattern.raw vref.raw && cp pattern.raw scratch.raw
	"$tool" vref.raw write 4096 chunk zero 200704 8192 zero 524288 65536 \
		random-writes 2 50 scratch.raw
	tap_check "$img volatile: reads see the writes, zeroes and discards" cmp -s volatile.out vref.raw
	tap_check "$img volatile: the image file is unchanged" [ "$(md5sum <"$img")" = "$sum" ]

	expect_erofs "$img read-only: write fails with EROFS" "$tool" -f $fmt -m ro -b same-dir "$img" write 0 chunk
	expect_erofs "$img read-only: write-zeroes fails with EROFS" "$tool" -f $fmt -m ro -b same-dir "$img" zero 0 4096
	expect_erofs "$img read-only: discard fails with EROFS" "$tool" -f $fmt -m ro -b same-dir "$img" discard 0 4096
	tap_check "$img read-only: reads work" "$tool" -f $fmt -m ro -b same-dir "$img" compare pattern.raw
	tap_check "$img read-only: the image file is unchanged" [ "$(md5sum <"$img")" = "$sum" ]
done
tap_check "the overlay's backing file is unchanged" [ "$(md5sum <base.raw)" = "$base_sum" ]

# The volatile overlay lives in an unlinked file (-V: made in ./spill), so
# the process's memory stays small, and holds at most -L bytes.
mkdir spill
truncate -s 4G sparse.raw
rss=$("$tool" -m volatile -V spill sparse.raw fill 0 1073741824 peak-rss read 536870912 4096 back.out)
tap_check "volatile: 1 GiB of writes, peak RSS ${rss:-?} KiB (under 64 MiB)" [ "${rss:-999999}" -lt 65536 ]
tap_check "volatile: a later read sees those writes" [ "$(od -An -tx1 -N2 back.out)" = " 5a 5a" ]
tap_check "volatile: the overlay's file has no name (nothing left in its directory)" [ -z "$(ls -A spill)" ]
head -c 1048576 /dev/urandom >mib
cp pattern.raw vref.raw && put_at vref.raw mib 0 && put_at vref.raw chunk 65536
out=$("$tool" -m volatile -V spill -L 1048576 pattern.raw write 0 mib write 1048576 chunk 2>&1)
case $out in
*"No space left on device: volatile overlay full: it keeps at most 1048576 bytes"*)
	tap_ok "volatile: past the limit (-L 1 MiB) a write to a new block fails, saying why" ;;
*) tap_not_ok "volatile: past the limit (-L 1 MiB) a write to a new block fails, saying why"; tap_diag "$out" ;;
esac
head -c 512 chunk >sector
out=$("$tool" -m volatile -V spill -L 1048576 pattern.raw write 0 mib write 1049088 sector 2>&1)
case $out in
*"volatile overlay full"*) tap_ok "volatile: so does a partial write to a new block" ;;
*) tap_not_ok "volatile: so does a partial write to a new block"; tap_diag "$out" ;;
esac
tap_check "volatile: at the limit, blocks written before can be rewritten" \
	"$tool" -m volatile -V spill -L 1048576 pattern.raw write 0 mib write 65536 chunk compare vref.raw
cp pattern.raw vref.raw && put_at vref.raw mib 1048576 && zero_at vref.raw 0 1048576
tap_check "volatile: discarded blocks give their room back" \
	"$tool" -m volatile -V spill -L 1048576 pattern.raw write 0 mib discard 0 1048576 write 1048576 mib \
	compare vref.raw

tap_done
