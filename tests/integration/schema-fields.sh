#!/bin/sh
# A field a schema accepts is a promise: some code must read it (or refuse
# it by name), or write it, in the programs' sources. This walks every
# property of every schema (schemas/*.json) and fails for each one that no
# C source outside tests/ mentions as a string literal.
. "$top_srcdir/tests/lib.sh"

props=$("$top_builddir/tests/integration/schema-props" "$top_srcdir"/schemas/*.json) ||
	tap_skip_all "schema-props failed"
sources=$(find "$top_srcdir/ipc" "$top_srcdir/vmm" "$top_srcdir/devices" "$top_srcdir/manager" \
	-name '*.c' ! -name protogen.c)
echo "$props" | sort -u | while read -r file prop; do
	if grep -qF "\"$prop\"" $sources; then
		tap_ok "$(basename "$file"): '$prop' is read or written by the code"
	else
		tap_not_ok "$(basename "$file"): '$prop' is in the schema but no code reads or writes it"
	fi
done >"${TMPDIR:-/tmp}/schema-fields.$$"
cat "${TMPDIR:-/tmp}/schema-fields.$$"
tap_count=$(grep -c '^ok\|^not ok' "${TMPDIR:-/tmp}/schema-fields.$$")
tap_failed=$(grep -c '^not ok' "${TMPDIR:-/tmp}/schema-fields.$$")
rm -f "${TMPDIR:-/tmp}/schema-fields.$$"
tap_done
