#!/bin/sh
# Backing files of QCOW2 images (devices/disk/backing.c): an image from an
# untrusted source names its backing file itself, and must not reach host
# files with it. Through disk-tool (devices/disk/) and devices/virtio-blk
# (--backing, --backing-fd): names are refused unless allowed, only inside
# the image's directory unless "any"; FIFOs, devices and symbolic links are
# refused without hanging; a backing file without a declared format is
# refused; the chain given as fds reads as qemu-img reads it.
. "$top_srcdir/tests/lib.sh"

command -v qemu-img >/dev/null || tap_skip_all "qemu-img not installed (Debian package qemu-utils)"
tool=$top_builddir/tests/integration/disk-tool
blk=$top_builddir/devices/virtio-blk
dir=$(mktemp -d /tmp/disk-backing.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

# A host file outside the images' directory, standing for /etc/shadow.
mkdir host images
head -c 1048576 /dev/urandom >host/secret.raw
cd images || exit 1
head -c 1048576 /dev/urandom >base.raw

# expect_refusal DESC TEXT DISK-TOOL-ARGS...: disk-tool fails within 10 s
# (a FIFO must not hang it) and says TEXT.
expect_refusal() {
	desc=$1 text=$2
	shift 2
	out=$(timeout 10 "$tool" "$@" size 2>&1)
	rc=$?
	case $rc:$out in
	124:*) tap_not_ok "$desc"; tap_diag "timed out after 10 s" ;;
	0:*) tap_not_ok "$desc"; tap_diag "opened: $out" ;;
	*"$text"*) tap_ok "$desc" ;;
	*) tap_not_ok "$desc"; tap_diag "$out" ;;
	esac
}

# Absolute names: /etc/shadow, as in the report, and a readable stand-in.
qemu-img create -q -f qcow2 -u -b /etc/shadow -F raw shadow.qcow2 1M
qemu-img create -q -f qcow2 -u -b "$dir/host/secret.raw" -F raw absolute.qcow2 1M
expect_refusal "an absolute name (/etc/shadow) is refused by default" \
	"backing file '/etc/shadow': backing files are off for this disk" -f qcow2 -m ro shadow.qcow2
expect_refusal "an absolute name is refused in the image's directory only (same-dir)" \
	"not a file name in the image's own directory" -f qcow2 -m ro -b same-dir shadow.qcow2
tap_check "an absolute name is followed with -b any (what the caller allowed)" \
	"$tool" -f qcow2 -m ro -b any absolute.qcow2 compare ../host/secret.raw

# ../ names.
qemu-img create -q -f qcow2 -u -b ../host/secret.raw -F raw up.qcow2 1M
expect_refusal "a ../ name is refused by default" "backing files are off" -f qcow2 -m ro up.qcow2
expect_refusal "a ../ name is refused with same-dir" \
	"backing file '../host/secret.raw': not a file name in the image's own directory" \
	-f qcow2 -m ro -b same-dir up.qcow2
tap_check "a ../ name is followed with -b any" "$tool" -f qcow2 -m ro -b any up.qcow2 compare ../host/secret.raw

# A plain name in the image's directory.
qemu-img create -q -f qcow2 -b base.raw -F raw over.qcow2
tap_check "a plain name is followed with same-dir" "$tool" -f qcow2 -m ro -b same-dir over.qcow2 compare base.raw
expect_refusal "a plain name is refused by default" "backing files are off" -f qcow2 -m ro over.qcow2

# Not regular files: each refused, without hanging in open().
mkfifo fifo
qemu-img create -q -f qcow2 -u -b fifo -F raw fifo.qcow2 1M
expect_refusal "a FIFO is refused (same-dir), without hanging" "fifo: a FIFO, not a regular file" \
	-f qcow2 -m ro -b same-dir fifo.qcow2
expect_refusal "a FIFO is refused (any), without hanging" "fifo: a FIFO, not a regular file" \
	-f qcow2 -m ro -b any fifo.qcow2
mknod zero c 1 5
qemu-img create -q -f qcow2 -u -b zero -F raw chardev.qcow2 1M
expect_refusal "a character device in the directory is refused" "zero: a character device, not a regular file" \
	-f qcow2 -m ro -b same-dir chardev.qcow2
qemu-img create -q -f qcow2 -u -b /dev/zero -F raw devzero.qcow2 1M
expect_refusal "/dev/zero is refused (any)" "/dev/zero: a character device, not a regular file" \
	-f qcow2 -m ro -b any devzero.qcow2
ln -s ../host/secret.raw link.raw
qemu-img create -q -f qcow2 -u -b link.raw -F raw link.qcow2 1M
expect_refusal "a symbolic link in the directory is refused (same-dir)" "link.raw: a symbolic link, not a regular file" \
	-f qcow2 -m ro -b same-dir link.qcow2
mkdir subdir
qemu-img create -q -f qcow2 -u -b subdir -F raw subdir.qcow2 1M
expect_refusal "a directory is refused" "subdir: a directory, not a regular file" -f qcow2 -m ro -b same-dir subdir.qcow2

# No declared format: qemu-img 7.2 no longer writes such images, so the
# backing format extension (type 0xe2792aca) becomes an unknown one.
cp over.qcow2 nofmt.qcow2
at=$(LC_ALL=C grep -obUaP '\xe2\x79\x2a\xca' nofmt.qcow2 | head -n 1 | cut -d: -f1)
printf '\022\064\126\170' | dd of=nofmt.qcow2 bs=1 seek="$at" conv=notrunc status=none
tap_check "qemu-img sees no backing format in the doctored image" \
	sh -c '! qemu-img info nofmt.qcow2 | grep -q "backing file format"'
expect_refusal "a backing file without a declared format is refused (no probing)" \
	"backing file 'base.raw': the image does not declare its format" -f qcow2 -m ro -b any nofmt.qcow2

# The chain as fds: base.raw <- mid.qcow2 <- top.qcow2, each with writes of
# its own, read as qemu-img reads it.
qemu-img create -q -f qcow2 -b base.raw -F raw mid.qcow2
qemu-io -f qcow2 -c "write -P 0x5a 65536 131072" mid.qcow2 >/dev/null
qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2
qemu-io -f qcow2 -c "write -P 0xa5 131072 4096" top.qcow2 >/dev/null
qemu-img convert -O raw top.qcow2 top.want
tap_check "the chain as fds reads as qemu-img reads it" \
	"$tool" -f qcow2 -m ro -B mid.qcow2 -B base.raw top.qcow2 compare top.want
tap_check "the chain walked as a client (disk_qcow2_backing), the image a bare fd" \
	"$tool" -f qcow2 -m ro -c top.qcow2 compare top.want
expect_refusal "a declared backing file without an fd is refused" \
	"backing file 'base.raw': no fd for it (the chain given has 1)" -f qcow2 -m ro -B mid.qcow2 top.qcow2
expect_refusal "an fd past the end of the chain is refused" \
	"the backing chain given has 3 fds, the images name 2 backing files" \
	-f qcow2 -m ro -B mid.qcow2 -B base.raw -B base.raw top.qcow2
expect_refusal "a device as a chain fd is refused" "not a regular file" -f qcow2 -m ro -B /dev/null top.qcow2
cp top.qcow2 top-rw.qcow2 && cp top.want top-rw.want
mid_sum=$(md5sum <mid.qcow2) base_sum=$(md5sum <base.raw)
tap_check "writes over the chain as fds read back" \
	"$tool" -f qcow2 -B mid.qcow2 -B base.raw top-rw.qcow2 random-writes 7 50 top-rw.want compare top-rw.want
tap_check "qemu-img check finds the written image clean" qemu-img check -q top-rw.qcow2
tap_check "the chain's files are unchanged" [ "$(md5sum <mid.qcow2)$(md5sum <base.raw)" = "$mid_sum$base_sum" ]

# virtio-blk: the same rules, before it listens. expect_device_refusal DESC
# TEXT ARGS...: the device exits 1 within 10 s, says TEXT, never listens.
expect_device_refusal() {
	desc=$1 text=$2
	shift 2
	rm -f dev.sock
	out=$(timeout 10 "$blk" --socket-path dev.sock "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && [ ! -e dev.sock ] && case $out in *"$text"*) true ;; *) false ;; esac; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc"
		tap_diag "exit $rc: $out"
	fi
}
expect_device_refusal "virtio-blk: /etc/shadow as a backing file is refused by default" \
	"backing file '/etc/shadow': backing files are off" --blk-file shadow.qcow2 --format qcow2 --read-only
expect_device_refusal "virtio-blk: a ../ name is refused with --backing same-dir" \
	"not a file name in the image's own directory" --blk-file up.qcow2 --format qcow2 --read-only --backing same-dir
expect_device_refusal "virtio-blk: a FIFO is refused with --backing any, without hanging" \
	"a FIFO, not a regular file" --blk-file fifo.qcow2 --format qcow2 --read-only --backing any
expect_device_refusal "virtio-blk: no declared format is refused" \
	"does not declare its format" --blk-file nofmt.qcow2 --format qcow2 --read-only --backing any
expect_device_refusal "virtio-blk: a chain one fd short is refused" \
	"no fd for it (the chain given has 1)" --blk-fd 3 --backing-fd 4 --format qcow2 --read-only 3<top.qcow2 4<mid.qcow2
expect_device_refusal "virtio-blk: --backing-fd and --backing together are refused" \
	"not both" --blk-fd 3 --backing-fd 4 --backing any --format qcow2 --read-only 3<top.qcow2 4<mid.qcow2
rm -f dev.sock
"$blk" --socket-path dev.sock --blk-fd 3 --backing-fd 4 --backing-fd 5 --format qcow2 --read-only \
	3<top.qcow2 4<mid.qcow2 5<base.raw 2>dev.err &
pid=$!
tap_check "virtio-blk: with the whole chain as fds it listens" wait_for_socket dev.sock
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

tap_done
