#!/bin/sh
# build-rig.sh OUTDIR
#
# Builds the nested-KVM rig's machine (tests/rig/README.md) from Debian
# packages only, into OUTDIR:
#   vmlinuz   Debian's cloud kernel (the `debian` guest package's kernel)
#   rig.img   initramfs: busybox-static, tests/rig/init as /init, the
#             modules it loads (in dependency order): virtio-pci, the
#             virtio-serial ports, virtiofs, fw_cfg, KVM with kvm-amd, and
#             /bin/kvm-hold (tests/rig/kvm-hold.c, built here static: the
#             initramfs has no C library)
# The .deb files come from the same cache as scripts/build-debian-guest.sh's
# (scripts/debian-guest/debs.sh). rig-run calls this when OUTDIR is missing
# or older than the scripts that make it.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
outdir=${1:?usage: build-rig.sh OUTDIR}
modules="virtio_pci virtio_console virtiofs qemu_fw_cfg kvm_amd"

say() {
	echo "build-rig: $*"
}

die() {
	echo "build-rig: $*" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/build-rig.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$top/scripts/debian-guest/debs.sh"
debs_unpack

root=$work/root
initramfs_busybox "$root"
cp "$top/tests/rig/init" "$root/init"
chmod 0755 "$root/init"
${CC:-cc} -static -O2 -Wall -Wextra -Werror -o "$root/bin/kvm-hold" "$top/tests/rig/kvm-hold.c" ||
	die "building kvm-hold (static: the C library's libc.a is needed) failed"
# shellcheck disable=SC2086 # one word per module name
initramfs_modules "$root" $modules

mkdir -p "$outdir" || die "cannot create $outdir"
initramfs_pack "$root" "$outdir/.rig.img.tmp"
cp "$bzimage" "$outdir/.vmlinuz.tmp"
mv "$outdir/.vmlinuz.tmp" "$outdir/vmlinuz"
mv "$outdir/.rig.img.tmp" "$outdir/rig.img"
say "kernel $kernel_version from $(basename "$kernel_deb")"
say "modules (load order): $loaded_modules"
say "$outdir/rig.img: $(wc -c <"$outdir/rig.img") bytes (cpio newc, ${compress%% *})"
