#!/bin/sh
# build-debian-guest.sh [OUTDIR]
#
# Builds the `debian` guest package from Debian packages only, into OUTDIR
# (default: out/packages/debian at the top of the source tree; `make
# debian-package` builds it into the build tree's out/packages/debian,
# where the tests and `make install` look for it):
#   vmlinuz      Debian's cloud kernel (bzImage), from the package that
#                linux-image-cloud-amd64 depends on
#   vmlinux      the same kernel uncompressed (ELF with the PVH entry note)
#   initrd.img   busybox-static, the virtio modules the kernel does not have
#                built in (with their dependencies, in load order), the ACPI
#                power button's (button, evdev), scripts/debian-guest/init
#                as /init (see it for gm.run= and gm.script=) and
#                scripts/debian-guest/power-button as acpid's handler of
#                the button; cpio newc, zstd (or gzip)
#   guest.json   the package's config for guestmgrd
#                (schemas/guest-config.schema.json: fuchsia.virtualization
#                GuestConfig names, paths relative to OUTDIR); guestmgr-vmm
#                standalone takes a config of its own (README.md)
#
# The .deb files are fetched once and cached (scripts/debian-guest/debs.sh
# says where). Needs dpkg-deb, depmod (kmod), cpio, zstd or gzip, and lz4
# (or whichever decompressor the kernel payload uses).
set -eu

start_ns=$(date +%s%N)
top=$(cd "$(dirname "$0")/.." && pwd)
helpers=$top/scripts/debian-guest
outdir=${1:-$top/out/packages/debian}
# What the guest needs from the kernel; whatever of it is built in is skipped.
wanted_modules="virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev
  virtio_blk virtio_net virtio_console virtio_balloon virtio_rng
  vsock vmw_vsock_virtio_transport button evdev"

say() {
	echo "build-debian-guest: $*"
}

die() {
	echo "build-debian-guest: $*" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/build-debian-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$top/scripts/debian-guest/debs.sh"
debs_unpack

# The initramfs: busybox with its applet links, /init, the modules.
root=$work/root
initramfs_busybox "$root"
cp "$helpers/init" "$root/init"
mkdir -p "$root/etc/acpi/PWRF"
cp "$helpers/power-button" "$root/etc/acpi/PWRF/00000080"
chmod 0755 "$root/init" "$root/etc/acpi/PWRF/00000080"
# shellcheck disable=SC2086 # one word per module name
initramfs_modules "$root" $wanted_modules

mkdir -p "$outdir" || die "cannot create $outdir"
initramfs_pack "$root" "$outdir/.initrd.img.tmp"
cp "$bzimage" "$outdir/.vmlinuz.tmp"
sh "$helpers/extract-vmlinux.sh" "$bzimage" "$outdir/.vmlinux.tmp"

# Only devices this version has: guestmgrd refuses virtio_balloon,
# virtio_vsock and default_net until their devices exist.
cat >"$outdir/.guest.json.tmp" <<EOF
{
  "kernel_type": "linux",
  "kernel": "vmlinuz",
  "ramdisk": "initrd.img",
  "cmdline": "console=ttyS0 reboot=k panic=-1",
  "cpus": 1,
  "guest_memory": 536870912,
  "virtio_console": true,
  "virtio_rng": true,
  "block_devices": []
}
EOF
# guest.json last: where it is, the whole package is.
rm -f "$outdir/guest.json"
for f in vmlinuz vmlinux initrd.img guest.json; do
	mv "$outdir/.$f.tmp" "$outdir/$f"
done

# Note type 0x12 is XEN_ELFNOTE_PHYS32_ENTRY, the PVH entry point.
if readelf -n "$outdir/vmlinux" 2>/dev/null | grep -qE 'PHYS32_ENTRY|\(0x00000012\)'; then
	pvh="has the PVH entry note"
else
	pvh="has NO PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)"
fi
say "kernel $kernel_version from $(basename "$kernel_deb")"
say "built in: $builtin_modules"
say "modules (load order): $loaded_modules"
for f in vmlinuz vmlinux initrd.img guest.json; do
	say "$outdir/$f: $(wc -c <"$outdir/$f") bytes"
done
say "initrd.img: cpio newc, ${compress%% *}; vmlinux $pvh"
say "done in $((($(date +%s%N) - start_ns) / 1000000)) ms"
