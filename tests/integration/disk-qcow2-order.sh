#!/bin/sh
# The order in which QCOW2 metadata reaches the disk (devices/disk/
# qcow2_commit.c), seen with strace: disk-tool's writes and syncs on the
# image, each write named by what it lands in, must show
#   A. data, refcounts and new L2 tables synced before an L1 entry, an
#      existing L2 table or the header is written ("data before the entry
#      that exposes it, refcount before the entry that depends on it");
#   B. L1 and L2 writes synced before anything else is written, so a
#      refcount decrement or punched hole follows the entry change;
#   C. a new refcount block synced before the refcount table entry
#      pointing at it.
# Also: a process killed before the guest's flush leaves an image qemu-img
# finds without errors, with what was flushed.
. "$top_srcdir/tests/lib.sh"

command -v qemu-img >/dev/null || tap_skip_all "qemu-img not installed (Debian package qemu-utils)"
command -v strace >/dev/null || tap_skip_all "strace not installed (apt-get install strace)"
tool=$top_builddir/tests/integration/disk-tool
dir=$(mktemp -d /tmp/disk-qcow2-order.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
head -c 4096 /dev/urandom >page
head -c 65536 /dev/urandom >cluster

# be64 FILE OFFSET / be32 FILE OFFSET: a big-endian field, in decimal.
be64() { echo $((0x$(od -An -tx1 -j "$2" -N 8 "$1" | tr -d ' \n'))); }
be32() { echo $((0x$(od -An -tx1 -j "$2" -N 4 "$1" | tr -d ' \n'))); }
# nonzero_entries FILE OFFSET COUNT: the table's non-zero u64 entries, the
# offset bits only (9..55), one "INDEX OFFSET" per line.
nonzero_entries() {
	od -An -v -tx1 -w8 -j "$2" -N $(($3 * 8)) "$1" | tr -d ' ' | {
		i=0
		while read -r h; do
			v=$((0x${h#??} & 0xfffffffffffe00))	# bits 56..63 dropped first: no overflow
			[ "$v" -eq 0 ] || echo "$i $v"
			i=$((i + 1))
		done
	}
}

# tokens IMAGE TRACE ORIG_REFTABLE ORIG_SIZE: the image's writes and syncs
# in TRACE, one letter each, repeats collapsed:
#   H header  T refcount table (t: one entry)  R refcount block
#   1 L1 table  2 L2 table an L1 entry on the disk points at
#   n L2 table no L1 entry on the disk points at yet
#   D data  S fdatasync  P punched hole
tokens() {
	img=$1
	cs=$((1 << $(be32 "$img" 20)))
	l1=$(be64 "$img" 40) l1n=$(be32 "$img" 36)
	rt=$(be64 "$img" 48) rtn=$(be32 "$img" 56)
	{
		echo "cs $cs"
		echo "l1 $l1 $((l1n * 8))"
		echo "rt $rt $((rtn * cs))"
		echo "rt $3"
		echo "orig $4"
		nonzero_entries "$img" "$rt" $((rtn * cs / 8)) | sed 's/^/rb /'
		[ "$l1n" -eq 0 ] || nonzero_entries "$img" "$l1" "$l1n" | sed 's/^/l2 /'
		cat "$2"
	} | awk '
	function inside(o, a, n) { return o >= a && o < a + n }
	function kind(o, len,    i) {
		if (o < cs) return "H"
		for (i = 1; i <= nrt; i++) if (inside(o, rt_at[i], rt_len[i])) return len == 8 ? "t" : "T"
		for (i = 1; i <= nrb; i++) if (inside(o, rb[i], cs)) return "R"
		if (inside(o, l1, l1len)) { linked[l2_of[int((o - l1) / 8)]] = 1; return "1" }
		for (i = 1; i <= nl2; i++)
			if (inside(o, l2[i], cs)) return l2[i] < orig || linked[l2[i]] ? "2" : "n"
		return "D"
	}
	function emit(t) { if (t != last) { out = out (out == "" ? "" : " ") t; last = t } }
	$1 == "cs" { cs = $2; next }
	$1 == "l1" { l1 = $2; l1len = $3; next }
	$1 == "rt" { nrt++; rt_at[nrt] = $2; rt_len[nrt] = $3; next }
	$1 == "orig" { orig = $2; next }
	$1 == "rb" { rb[++nrb] = $3; next }
	$1 == "l2" { l2[++nl2] = $3; l2_of[$2] = $3; next }
	/^openat\(/ && index($0, "\"" img "\"") { fd = $NF; next }
	{
		if (!match($0, /^[a-z0-9]+\([0-9]+/)) next
		call = substr($0, 1, index($0, "(") - 1)
		if (substr($0, index($0, "(") + 1) + 0 != fd) next
		ret = $NF
		args = substr($0, 1, length($0) - length(ret) - 4)   # up to ")" before " = "
		n = split(args, a, ", ")
		if (call == "fdatasync" || call == "fsync") emit("S")
		else if (call == "fallocate") { if (a[2] ~ /PUNCH/) emit("P") }
		else if (call == "pwritev" || call == "pwrite64") emit(kind(a[n] + 0, ret + 0))
	}
	END { print out }' img="$(basename "$img")"
}

# order_check DESC IMAGE MUST-CONTAIN DISK-TOOL-ARGS...: runs disk-tool
# under strace on IMAGE and checks rules A, B and C, and that the tokens
# contain MUST-CONTAIN (the case happened).
order_check() {
	desc=$1 img=$2 must=$3
	shift 3
	orig_size=$(stat -c %s "$img")
	orig_rt="$(be64 "$img" 48) $(($(be32 "$img" 56) << $(be32 "$img" 20)))"
	strace -qq -s 0 -e trace=openat,pwrite64,pwritev,fdatasync,fsync,fallocate -o trace \
		"$tool" -f qcow2 "$@" >/dev/null 2>tool.err
	seq=$(tokens "$img" trace "$orig_rt" "$orig_size")
	bad=
	case " $seq " in *" "[DRTn]" "[12H]" "*) bad="$bad A" ;; esac
	case " $seq " in *" "[12]" "[RPTtDnH]" "*) bad="$bad B" ;; esac
	case " $seq " in *" "[RD]" t "*) bad="$bad C" ;; esac
	case " $seq " in *" $must "*) ;; *) bad="$bad (no '$must')" ;; esac
	# The sequence itself when short, else its length and syncs.
	shown=$seq
	[ "${#seq}" -le 60 ] || shown="$(echo "$seq" | wc -w) writes and syncs, $(echo "$seq" | tr ' ' '\n' | grep -c S) syncs"
	if [ -z "$bad" ]; then
		tap_ok "$desc: $shown"
	else
		tap_not_ok "$desc: $shown"
		tap_diag "broken:$bad" "$(echo "$seq" | grep -oE '.{0,24}([DRTn] [12H]|[12] [RPTtDnH]|[RD] t).{0,24}' | head -n 3)" \
			"$(cat tool.err)"
	fi
	tap_check "$desc: qemu-img check finds no errors or leaks" qemu-img check -q "$img"
}

# The case of the report: an allocating write next to an allocated cluster
# updates the existing L2 table in place.
qemu-img create -q -f qcow2 inplace.qcow2 4M
qemu-io -f qcow2 -c "write -P 0x11 0 65536" inplace.qcow2 >/dev/null
order_check "allocating write, L2 table updated in place" inplace.qcow2 2 \
	inplace.qcow2 write 131072 page flush

# A first write: a new L2 table, then its L1 entry.
qemu-img create -q -f qcow2 empty.qcow2 4M
order_check "first write: new L2 table, then the L1 entry" empty.qcow2 1 \
	empty.qcow2 write 0 page flush

# Copy on write from a backing file: the copied data is synced before the
# L2 entry that exposes it.
head -c 4194304 /dev/urandom >base.raw
qemu-img create -q -f qcow2 -b base.raw -F raw over.qcow2
qemu-io -f qcow2 -c "write -P 0x22 0 65536" over.qcow2 >/dev/null
order_check "partial write over a backing file (copy on write)" over.qcow2 2 \
	-b same-dir over.qcow2 write 69632 page flush

# Whole clusters in a row go to the file together: a 1 MiB write over a
# backing file is one write of 1 MiB (the new clusters follow each other
# at the end of the file), not 16 of 64 KiB, and so is writing it again
# (in place).
head -c 1048576 /dev/urandom >mib
qemu-img create -q -f qcow2 -b base.raw -F raw run.qcow2
order_check "a 1 MiB write of whole clusters over a backing file, twice" run.qcow2 D \
	-b same-dir run.qcow2 write 1048576 mib write 1048576 mib flush
mib_writes=$(grep -c '^pwrite.* = 1048576$' trace)
tap_check "a 1 MiB write of whole clusters, twice: two writes of 1 MiB ($mib_writes seen)" \
	[ "$mib_writes" -eq 2 ]
tap_check "a 1 MiB write of whole clusters reads back" sh -c \
	'qemu-img convert -O raw run.qcow2 run.raw && cmp -s -i 0:1048576 -n 1048576 mib run.raw'

# Discard: the L2 entry goes first, the refcount and the hole after it.
qemu-img create -q -f qcow2 discard.qcow2 4M
qemu-io -f qcow2 -c "write -P 0x33 0 262144" discard.qcow2 >/dev/null
order_check "discard: refcount down and hole punched after the L2 entry" discard.qcow2 P \
	discard.qcow2 discard 65536 131072 flush

# Many tables: 512-byte clusters over 64 MiB (L2 tables evicted from the
# cache, refcount blocks added, the refcount table moved), flushes between.
qemu-img create -q -f qcow2 -o cluster_size=512 many.qcow2 64M
truncate -s 64M many.ref
order_check "150 random writes, a flush, a discard on 512-byte clusters" many.qcow2 t \
	many.qcow2 random-writes 1 150 many.ref flush discard 1048576 4194304
dd if=/dev/zero of=many.ref bs=1M seek=1 count=4 conv=notrunc status=none
order_check "150 more random writes on those tables" many.qcow2 2 \
	many.qcow2 random-writes 2 150 many.ref
tap_check "those writes read back through qemu-img" sh -c \
	'qemu-img convert -O raw many.qcow2 many.back && cmp -s many.back many.ref'

# A kill before the flush: what was flushed is there, and qemu-img finds no
# errors (clusters allocated since the flush may leak: exit status 3).
qemu-img create -q -f qcow2 killed.qcow2 4M
sh -c '"$0" -f qcow2 killed.qcow2 write 0 cluster flush write 1048576 cluster write 65536 page die' \
	"$tool" 2>/dev/null
qemu-img check killed.qcow2 >check.out 2>&1
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; then
	tap_ok "killed before the flush: qemu-img check finds no errors (exit $rc: 0, or 3 for leaks)"
else
	tap_not_ok "killed before the flush: qemu-img check finds no errors (exit $rc)"
	tap_diag "$(cat check.out)"
fi
qemu-img convert -O raw killed.qcow2 killed.raw
tap_check "killed before the flush: the flushed write is there" \
	sh -c 'head -c 65536 killed.raw | cmp -s - cluster'

tap_done
