#!/bin/sh
# Install everything guestmgr needs to build, test and run on Debian 12.
# Safe to run again: apt-get skips what is already installed.
#   scripts/setup.sh [--bench]   --bench: also the peers only benchmarks run
#                                (bench/README.md), not needed to test
set -eu

packages="
  build-essential autoconf automake libtool pkg-config
  check libevent-dev libseccomp-dev libfdt-dev libjansson-dev device-tree-compiler zlib1g-dev
  libsystemd-dev systemd jq prometheus
  groff-base man-db mandoc systemd-container
  acpica-tools
  clang libclang-rt-14-dev
  qemu-system-x86 qemu-utils socat strace
  busybox-static cpio zstd xz-utils lz4 kmod
"
# bench/api.sh: libvirt beside guestmgrd, and its client library for the
# socket-level helper (bench/api-virt.c).
[ "${1:-}" != --bench ] ||
	packages="$packages libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev"

missing=
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "setup: all build and test dependencies are installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages:$missing; run this script as root" >&2
	exit 1
fi
echo "setup: installing$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
