#!/bin/sh
# docs/protocol.md is generated from schemas/protocol.json (ipc/protogen):
# the committed copy must be what the generator writes now.
. "$top_srcdir/tests/lib.sh"

gen=$(mktemp)
trap 'rm -f "$gen"' EXIT
"$top_builddir/ipc/protogen" markdown "$top_srcdir/schemas/protocol.json" >"$gen"
tap_check "docs/protocol.md is what ipc/protogen makes of schemas/protocol.json (else: make protocol-doc)" \
	cmp -s "$gen" "$top_srcdir/docs/protocol.md"
tap_done
