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
#                built in (with their dependencies, in load order) and
#                scripts/debian-guest/init as /init (see it for gm.run=
#                and gm.script=); cpio newc, zstd (or gzip)
#   guest.json   the package's config for guestmgrd
#                (schemas/guest-config.schema.json: fuchsia.virtualization
#                GuestConfig names, paths relative to OUTDIR); guestmgr-vmm
#                standalone takes a config of its own (README.md)
#
# The .deb files are kept in ${GUESTMGR_CACHE:-/var/cache/guestmgr}/debian/
# and reused: a second build downloads nothing, and a build works offline
# (without apt-get) once they are there. Delete that folder to refresh.
# Needs dpkg-deb, depmod (kmod), cpio, zstd or gzip, and lz4 (or whichever
# decompressor the kernel payload uses).
set -eu

start_ns=$(date +%s%N)
top=$(cd "$(dirname "$0")/.." && pwd)
helpers=$top/scripts/debian-guest
outdir=${1:-$top/out/packages/debian}
cache=${GUESTMGR_CACHE:-/var/cache/guestmgr}/debian
arch=amd64
kernel_metapackage=linux-image-cloud-amd64
# What the guest needs from the kernel; whatever of it is built in is skipped.
wanted_modules="virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev
  virtio_blk virtio_net virtio_console virtio_balloon virtio_rng
  vsock vmw_vsock_virtio_transport"
PATH=$PATH:/usr/sbin:/sbin # depmod, for users whose PATH lacks sbin

say() {
	echo "build-debian-guest: $*"
}

die() {
	echo "build-debian-guest: $*" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/build-debian-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache" || die "cannot create the package cache $cache (set GUESTMGR_CACHE)"

# last_error FILE: the last line of a command's stderr, for messages.
last_error() {
	tail -n 1 "$1" 2>/dev/null | sed 's/^E: //'
}

# newest_cached PACKAGE: the newest cached .deb of PACKAGE (a glob), if any.
newest_cached() {
	# shellcheck disable=SC2086 # PACKAGE may be a pattern
	ls -1 "$cache"/$1_*_$arch.deb 2>/dev/null | sort -V | tail -n 1
}

# apt_update: refresh the package lists, once per build.
apt_updated=
apt_update() {
	[ -z "$apt_updated" ] || return 1
	apt_updated=1
	say "apt-get update"
	apt-get update -qq >"$work/update.err" 2>&1 || {
		say "apt-get update failed: $(last_error "$work/update.err")"
		return 1
	}
}

# resolve_kernel_package: sets kernel_package to the linux-image-<abi>-cloud-amd64
# that the metapackage depends on now, or else to the newest cached one.
resolve_kernel_package() {
	kernel_package=$(apt-cache depends "$kernel_metapackage" 2>"$work/apt.err" |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1) || true
	if [ -z "$kernel_package" ] && apt_update; then
		resolve_kernel_package
		return
	fi
	[ -z "$kernel_package" ] || return 0
	cached=$(newest_cached "linux-image-*-cloud-amd64")
	[ -n "$cached" ] ||
		die "cannot resolve what $kernel_metapackage depends on ($(last_error "$work/apt.err")); no cached kernel package in $cache"
	kernel_package=$(basename "${cached%%_*}")
	say "cannot resolve what $kernel_metapackage depends on; using the cached $kernel_package"
}

# download PACKAGE: apt-get download into the cache; a partial download never
# takes a cached file's name, and concurrent builds each use their own folder.
# Older cached versions of PACKAGE are removed.
download() {
	incoming=$cache/.download.$$
	rm -rf "$incoming"
	mkdir "$incoming"
	if ! (cd "$incoming" && apt-get download -q -o APT::Sandbox::User=root "$1") \
		>"$work/download.err" 2>&1; then
		rm -rf "$incoming"
		return 1
	fi
	rm -f "$cache/$1"_*_$arch.deb
	mv "$incoming"/*.deb "$cache/"
	rmdir "$incoming"
}

# fetch PACKAGE: sets deb to the cached .deb of PACKAGE's candidate version,
# downloading it if needed; offline, any cached version will do.
fetch() {
	version=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	deb=$cache/$1_$(echo "$version" | sed 's/:/%3a/')_$arch.deb
	if [ -n "$version" ] && [ "$version" != "(none)" ] && [ -f "$deb" ]; then
		say "$1 $version: cached $deb"
		return
	fi
	if download "$1" || { apt_update && download "$1"; }; then
		deb=$(newest_cached "$1")
		say "$1: downloaded $deb ($(wc -c <"$deb") bytes)"
		return
	fi
	deb=$(newest_cached "$1")
	[ -n "$deb" ] ||
		die "apt-get download $1 failed: $(last_error "$work/download.err"); no cached copy in $cache"
	say "apt-get download $1 failed: $(last_error "$work/download.err"); using the cached $deb"
}

resolve_kernel_package
fetch "$kernel_package"
kernel_deb=$deb
fetch busybox-static
busybox_deb=$deb

dpkg-deb -x "$kernel_deb" "$work/kernel" || die "dpkg-deb -x $kernel_deb failed"
dpkg-deb -x "$busybox_deb" "$work/busybox" || die "dpkg-deb -x $busybox_deb failed"
set -- "$work"/kernel/boot/vmlinuz-*
[ $# -eq 1 ] && [ -f "$1" ] || die "$kernel_deb: expected one boot/vmlinuz-*, found: $*"
bzimage=$1
kernel_version=${bzimage##*/vmlinuz-}
config=$work/kernel/boot/config-$kernel_version
moddir=$work/kernel/lib/modules/$kernel_version
[ -r "$config" ] || die "$kernel_deb: no boot/config-$kernel_version"
# Debian generates modules.dep at install time; do it for the extracted tree.
depmod -b "$work/kernel" "$kernel_version" || die "depmod -b $work/kernel $kernel_version failed"

# The initramfs: busybox with its applet links, /init, the modules.
root=$work/root
mkdir -p "$root/etc/guestmgr" "$root/lib/modules" "$root/bin" "$root/root"
for d in proc sys dev run tmp; do mkdir "$root/$d"; done
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
"$root/bin/busybox" --list-full >"$work/applets" || die "$busybox_deb: busybox --list-full failed"
while read -r applet; do
	[ "$applet" != bin/busybox ] || continue
	mkdir -p "$root/$(dirname "$applet")"
	ln -s /bin/busybox "$root/$applet"
done <"$work/applets"
cp "$helpers/init" "$root/init"
chmod 0755 "$root/init"

# shellcheck disable=SC2086 # one word per module name
sh "$helpers/module-order.sh" "$moddir" $wanted_modules >"$work/modules" ||
	die "$kernel_package: resolving the virtio modules failed"
: >"$root/etc/guestmgr/modules"
# busybox insmod takes plain ELF modules only: decompress here.
while read -r kind name path; do
	[ "$kind" = module ] || continue
	case $path in
	*.ko.xz) xz -dc "$moddir/$path" ;;
	*.ko.zst) zstd -dcq "$moddir/$path" ;;
	*.ko.gz) gzip -dc "$moddir/$path" ;;
	*.ko) cat "$moddir/$path" ;;
	*) die "$path: unknown module file type" ;;
	esac >"$root/lib/modules/$name.ko" || die "$moddir/$path: cannot decompress"
	echo "$name" >>"$root/etc/guestmgr/modules"
done <"$work/modules"
builtin_modules=$(awk '$1 == "builtin" { printf "%s ", $2 }' "$work/modules")
: "${builtin_modules:=none of them}"
loaded_modules=$(tr '\n' ' ' <"$root/etc/guestmgr/modules")

if grep -qx CONFIG_RD_ZSTD=y "$config"; then
	compress="zstd -q -19"
elif grep -qx CONFIG_RD_GZIP=y "$config"; then
	compress="gzip -9 -n"
else
	die "$config: the kernel unpacks neither zstd nor gzip initramfs (CONFIG_RD_ZSTD, CONFIG_RD_GZIP)"
fi

mkdir -p "$outdir" || die "cannot create $outdir"
# Same inputs, same initrd.img: fixed order, owners, inode numbers and times.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
	$compress >"$outdir/.initrd.img.tmp" || die "building initrd.img (cpio | $compress) failed"
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
