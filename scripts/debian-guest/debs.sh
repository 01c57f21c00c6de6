# shellcheck shell=sh disable=SC2154 # top and work come from the caller
# Debian's cloud kernel and busybox-static, fetched once and cached, and the
# pieces of an initramfs made from them: sourced by the scripts that build
# one (scripts/build-debian-guest.sh, tests/rig/build-rig.sh). The caller
# sets `top` (the source tree) and `work` (a scratch directory it removes)
# and defines say and die.
#
# The .deb files are kept in ${GUESTMGR_CACHE:-/var/cache/guestmgr}/debian/
# (or ~/.cache/guestmgr/debian/ when /var/cache is not writable) and
# reused: a second build downloads nothing, and a build works offline
# (without apt-get) once they are there. Delete that folder to refresh.
# Needs dpkg-deb, depmod (kmod), cpio, zstd or gzip.

debs_arch=amd64
debs_kernel_metapackage=linux-image-cloud-amd64
PATH=$PATH:/usr/sbin:/sbin # depmod, for users whose PATH lacks sbin

# debs_cache_dir: sets cache, the folder of cached .deb files, creating it.
debs_cache_dir() {
	if [ -z "${GUESTMGR_CACHE:-}" ]; then
		mkdir -p /var/cache/guestmgr 2>/dev/null || true
		[ -w /var/cache/guestmgr ] ||
			GUESTMGR_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/guestmgr
	fi
	cache=${GUESTMGR_CACHE:-/var/cache/guestmgr}/debian
	mkdir -p "$cache" || die "cannot create the package cache $cache (set GUESTMGR_CACHE)"
}

# last_error FILE: the last line of a command's stderr, for messages.
last_error() {
	tail -n 1 "$1" 2>/dev/null | sed 's/^E: //'
}

# newest_cached PACKAGE: the newest cached .deb of PACKAGE (a glob), if any.
newest_cached() {
	# shellcheck disable=SC2086 # PACKAGE may be a pattern
	ls -1 "$cache"/$1_*_$debs_arch.deb 2>/dev/null | sort -V | tail -n 1
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
	kernel_package=$(apt-cache depends "$debs_kernel_metapackage" 2>"$work/apt.err" |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1) || true
	if [ -z "$kernel_package" ] && apt_update; then
		resolve_kernel_package
		return
	fi
	[ -z "$kernel_package" ] || return 0
	cached=$(newest_cached "linux-image-*-cloud-amd64")
	[ -n "$cached" ] ||
		die "cannot resolve what $debs_kernel_metapackage depends on ($(last_error "$work/apt.err")); no cached kernel package in $cache"
	kernel_package=$(basename "${cached%%_*}")
	say "cannot resolve what $debs_kernel_metapackage depends on; using the cached $kernel_package"
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
	rm -f "$cache/$1"_*_$debs_arch.deb
	mv "$incoming"/*.deb "$cache/"
	rmdir "$incoming"
}

# fetch PACKAGE: sets deb to the cached .deb of PACKAGE's candidate version,
# downloading it if needed; offline, any cached version will do.
fetch() {
	version=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	deb=$cache/$1_$(echo "$version" | sed 's/:/%3a/')_$debs_arch.deb
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

# debs_unpack: fetches the kernel and busybox-static (kernel_deb,
# busybox_deb) and unpacks them into $work/kernel and $work/busybox; sets
# bzimage, kernel_version, kernel_config and moddir (with modules.dep).
debs_unpack() {
	debs_cache_dir
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
	kernel_config=$work/kernel/boot/config-$kernel_version
	moddir=$work/kernel/lib/modules/$kernel_version
	[ -r "$kernel_config" ] || die "$kernel_deb: no boot/config-$kernel_version"
	# Debian generates modules.dep at install time; do it for the extracted tree.
	depmod -b "$work/kernel" "$kernel_version" || die "depmod -b $work/kernel $kernel_version failed"
}

# initramfs_busybox ROOT: busybox with its applet links and the usual
# folders, in a new initramfs tree ROOT.
initramfs_busybox() {
	mkdir -p "$1/etc/guestmgr" "$1/lib/modules" "$1/bin" "$1/root"
	for d in proc sys dev run tmp; do mkdir "$1/$d"; done
	cp "$work/busybox/bin/busybox" "$1/bin/busybox"
	"$1/bin/busybox" --list-full >"$work/applets" || die "$busybox_deb: busybox --list-full failed"
	while read -r applet; do
		[ "$applet" != bin/busybox ] || continue
		mkdir -p "$1/$(dirname "$applet")"
		ln -s /bin/busybox "$1/$applet"
	done <"$work/applets"
}

# initramfs_modules ROOT NAME...: the loadable ones of these kernel modules
# with their dependencies, decompressed into ROOT/lib/modules, their names
# in load order in ROOT/etc/guestmgr/modules (what an /init insmods); sets
# builtin_modules and loaded_modules (for messages).
initramfs_modules() {
	_root=$1
	shift
	sh "$top/scripts/debian-guest/module-order.sh" "$moddir" "$@" >"$work/modules" ||
		die "$kernel_package: resolving the modules $* failed"
	: >"$_root/etc/guestmgr/modules"
	# busybox insmod takes plain ELF modules only: decompress here.
	while read -r kind name path; do
		[ "$kind" = module ] || continue
		case $path in
		*.ko.xz) xz -dc "$moddir/$path" ;;
		*.ko.zst) zstd -dcq "$moddir/$path" ;;
		*.ko.gz) gzip -dc "$moddir/$path" ;;
		*.ko) cat "$moddir/$path" ;;
		*) die "$path: unknown module file type" ;;
		esac >"$_root/lib/modules/$name.ko" || die "$moddir/$path: cannot decompress"
		echo "$name" >>"$_root/etc/guestmgr/modules"
	done <"$work/modules"
	builtin_modules=$(awk '$1 == "builtin" { printf "%s ", $2 }' "$work/modules")
	: "${builtin_modules:=none of them}"
	loaded_modules=$(tr '\n' ' ' <"$_root/etc/guestmgr/modules")
}

# initramfs_pack ROOT OUT: ROOT as a cpio newc archive, compressed as the
# kernel can unpack it (zstd, else gzip), written to OUT; sets compress.
# Same inputs, same archive: fixed order, owners, inode numbers and times.
initramfs_pack() {
	if grep -qx CONFIG_RD_ZSTD=y "$kernel_config"; then
		compress="zstd -q -19"
	elif grep -qx CONFIG_RD_GZIP=y "$kernel_config"; then
		compress="gzip -9 -n"
	else
		die "$kernel_config: the kernel unpacks neither zstd nor gzip initramfs (CONFIG_RD_ZSTD, CONFIG_RD_GZIP)"
	fi
	find "$1" -exec touch -h -d @0 {} +
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
		$compress >"$2" || die "building $2 (cpio | $compress) failed"
}
