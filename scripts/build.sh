#!/bin/sh
# Build the tree out of source, in out/NAME (default: out/build), configuring
# it the first time with the remaining arguments (e.g. --enable-sanitizers).
#   scripts/build.sh [NAME [CONFIGURE-ARGS...]]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
name=${1:-build}
[ $# -gt 0 ] && shift
cd "$root"
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p "out/$name"
cd "out/$name"
[ -f Makefile ] || "$root/configure" -q "$@"
make -j"$(nproc)" >/dev/null
