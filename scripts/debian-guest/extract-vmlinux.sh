#!/bin/sh
# extract-vmlinux.sh BZIMAGE OUTPUT
#
# Writes the uncompressed vmlinux ELF held inside a Linux bzImage, so a VMM
# can boot it through PVH and skip the in-guest decompression.
#
# Unlike the kernel's scripts/extract-vmlinux, which scans for every known
# compression magic, this reads the payload's place from the x86 boot
# protocol header (setup_sects at 0x1f1, payload_offset/payload_length at
# 0x248/0x24c, boot protocol 2.08 and later), so it cannot pick up a stray
# match. The payload is the compressed kernel followed by its uncompressed
# size as a 32-bit little-endian word (the kernel build's size_append),
# which checks the result.
set -eu

die() {
	echo "extract-vmlinux: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: extract-vmlinux.sh BZIMAGE OUTPUT"
bzimage=$1
output=$2

# le_uint OFFSET BYTES: unsigned little-endian integer read from the bzImage.
le_uint() {
	od -An -t "u$2" -j "$1" -N "$2" "$bzimage" | tr -d ' \n'
}

[ -r "$bzimage" ] || die "'$bzimage': cannot read"
[ "$(od -An -c -j 0x202 -N 4 "$bzimage" | tr -d ' \n')" = HdrS ] ||
	die "'$bzimage': no x86 boot protocol header (HdrS) at 0x202: not a bzImage"
version=$(le_uint 0x206 2)
[ "$version" -ge $((0x208)) ] ||
	die "'$bzimage': boot protocol $(printf %x "$version") predates payload fields (needs 208)"

setup_sects=$(le_uint 0x1f1 1)
[ "$setup_sects" -ne 0 ] || setup_sects=4 # the boot protocol's rule for 0
payload_offset=$(le_uint 0x248 4)
payload_length=$(le_uint 0x24c 4)
payload_start=$(((setup_sects + 1) * 512 + payload_offset))
[ "$payload_length" -gt 4 ] || die "'$bzimage': payload_length $payload_length is too short"

# payload [SKIP [COUNT]]: bytes of the payload, SKIP bytes in, COUNT long.
payload() {
	tail -c +$((payload_start + ${1:-0} + 1)) "$bzimage" | head -c "${2:-$payload_length}"
}

magic=$(payload 0 4 | od -An -t x1 | tr -d ' \n')
case $magic in
02214c18) decompress="lz4 -dc" ;;
28b52ffd) decompress="zstd -dcq" ;;
1f8b*) decompress="gzip -dc" ;;
fd377a58) decompress="xz -dc" ;;
*) die "'$bzimage': payload magic $magic is not lz4, zstd, gzip or xz" ;;
esac

expected_size=$(payload $((payload_length - 4)) 4 | od -An -t u4 | tr -d ' \n')
payload 0 $((payload_length - 4)) | $decompress >"$output" ||
	die "'$bzimage': '$decompress' failed on the ${payload_length}-byte payload"

size=$(wc -c <"$output")
[ "$size" -eq "$expected_size" ] ||
	die "'$bzimage': decompressed $size bytes, the payload's size word says $expected_size"
[ "$(od -An -c -N 4 "$output" | tr -d ' \n')" = "177ELF" ] ||
	die "'$bzimage': the decompressed payload is not an ELF file"
