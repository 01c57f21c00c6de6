#!/bin/sh
# Configure (once) and build the tree in place. Extra arguments go to configure.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ]; then
	./configure "$@"
fi
make -j"$(nproc)"
