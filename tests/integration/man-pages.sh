#!/bin/sh
# The man pages (manager/man/) render without a warning, and cannot drift
# from the code: guestctl(1) documents every command of guestctl's command
# table and every option (as `guestctl --help` and `guestctl CMD --help`
# print them) and every exit status of guestctl.h; guestmgrd(8) every
# option of `guestmgrd --help` and every field of the daemon's config
# schema; guestmgr-package(5) every field of the guest config schema, and
# marks "Package only." exactly the fields a running guestmgrd refuses in
# a Launch (no KVM needed: the package has no kernel, so a Launch that gets
# past the overrides stops there).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"

command -v jq >/dev/null || tap_skip_all "jq is not installed (apt-get install jq)"

man1=$build/manager/man/guestctl.1
man8=$build/manager/man/guestmgrd.8
man5=$build/manager/man/guestmgr-package.5
guestctl=$build/manager/guestctl/guestctl
schemas=$top_srcdir/schemas
gm_setup

# unexcused PAGE: the warnings (troff's, on stdin) left once those about a
# path are set aside: a path cannot be broken, and a configured one can be
# longer than a line (make distcheck's prefix is). Such a warning names the
# path's line or the line after it.
unexcused() {
	while IFS= read -r w; do
		n=$(echo "$w" | sed -n "s/^troff: [^:]*:\([0-9]*\): warning.*\(can't break\|cannot adjust\) line.*/\1/p")
		if [ -n "$n" ] && sed -n "$((n > 1 ? n - 1 : 1)),${n}p" "$1" | grep -q '^\.\(It \)\?Pa /'; then
			continue
		fi
		echo "$w"
	done
}

for page in "$man1" "$man8" "$man5"; do
	name=${page##*/}
	out=$(groff -mdoc -ww -z "$page" 2>&1 | unexcused "$page")
	tap_check "$name: groff -mdoc -ww is silent" test -z "$out"
	[ -z "$out" ] || tap_diag "$out"
	if command -v man >/dev/null; then
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null | unexcused "$page")
		tap_check "$name: man --warnings -l is silent" test -z "$out"
		[ -z "$out" ] || tap_diag "$out"
	fi
	# mandoc is stricter; its STYLE notes are left out (they include the
	# cross-references to pages not installed yet).
	if command -v mandoc >/dev/null; then
		tap_check "$name: mandoc -Tlint finds nothing" \
			test -z "$(mandoc -Tlint -W warning "$page" 2>&1)"
	fi
done

# unescaped PAGE [SECTION]: the page (or its section SECTION) with its
# hyphens unescaped, so ".Fl \-json" reads ".Fl -json".
unescaped() {
	if [ $# -gt 1 ]; then
		sed -n "/^\.Sh $2\$/,/^\.Sh /p" "$1"
	else
		cat "$1"
	fi | sed 's/\\-/-/g'
}

# has FILE PATTERN: FILE has a line matching the basic regular expression.
has() {
	grep -q -- "$2" "$1"
}

# --- guestctl(1) ---------------------------------------------------------
# The command table, as the program prints it.
commands=$("$guestctl" --help |
	sed -n '/^Drives guestmgrd/,/^guestctl COMMAND/s/^  \([a-z][a-z]*\) .*/\1/p')
tap_check "guestctl --help lists its commands ($(echo $commands))" test -n "$commands"
# What the page documents as a command: ".It Cm NAME ...", or ".Cm NAME"
# right after ".It Xo".
unescaped "$man1" COMMANDS >"$tmp/commands"
sed -n '/^\.It Xo$/{n;s/^\.Cm \([a-z]*\).*/\1/p;};s/^\.It Cm \([a-z]*\).*/\1/p' "$tmp/commands" |
	sort -u >"$tmp/documented"
for c in $commands; do
	tap_check "guestctl(1) documents the command '$c'" grep -qx "$c" "$tmp/documented"
done
for c in $(cat "$tmp/documented"); do
	tap_check "guestctl(1)'s command '$c' is in the command table" \
		sh -c 'for c in $1; do [ "$c" = "$2" ] && exit 0; done; exit 1' - "$commands" "$c"
done

# Every option of the usage lines: the global ones, then each command's.
unescaped "$man1" >"$tmp/guestctl.1"
for o in $( ("$guestctl" --help | head -n 1
	for c in $commands; do "$guestctl" "$c" --help; done) | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	tap_check "guestctl(1) documents $o" has "$tmp/guestctl.1" "Fl ${o#-}\( \|$\)"
done

# Each exit status guestctl.h defines has its entry.
statuses=$(sed -n 's/^[[:space:]]*EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' \
	"$top_srcdir/manager/guestctl/guestctl.h")
tap_check "guestctl.h defines exit statuses ($(echo $statuses))" test -n "$statuses"
unescaped "$man1" "EXIT STATUS" >"$tmp/exit"
for n in $statuses; do
	tap_check "guestctl(1) EXIT STATUS has $n" grep -qx "\.It $n" "$tmp/exit"
done

# --- guestmgrd(8) --------------------------------------------------------
unescaped "$man8" >"$tmp/guestmgrd.8"
for o in $("$build/manager/guestmgrd/guestmgrd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	tap_check "guestmgrd(8) documents $o" has "$tmp/guestmgrd.8" "Fl ${o#-}\( \|$\)"
done
unescaped "$man8" CONFIGURATION >"$tmp/configuration"
for f in $(jq -r '.properties | keys[]' "$schemas/guestmgrd.schema.json"); do
	tap_check "guestmgrd(8) CONFIGURATION has '$f'" grep -qx "\.It Ic $f" "$tmp/configuration"
done

# --- guestmgr-package(5) -------------------------------------------------
unescaped "$man5" "GUEST CONFIG" >"$tmp/fields"
for f in $(jq -r '.properties, ."$defs".block_device.properties | keys[]' \
	"$schemas/guest-config.schema.json"); do
	tap_check "guestmgr-package(5) has '$f'" has "$tmp/fields" "^\.\(It \)\?Ic $f\( \|$\)"
done

# A Launch override of each field, with a value the schema accepts: the
# daemon refuses it as coming from the package exactly when the page says
# "Package only." right under the field's entry.
mkdir "$tmp/packages/nokernel"
echo '{ "kernel": "missing" }' >"$tmp/packages/nokernel/guest.json"
gm_start
jq -c '
	def sample: if has("enum") then .enum[0] elif has("$ref") then "x"
		elif .type == "boolean" then false elif .type == "integer" then .minimum
		elif .type == "string" then "x" elif .type == "array" then []
		elif .type == "object" then (.properties // {} | map_values(sample)) else null end;
	.properties | to_entries[] | {(.key): (.value | sample)}' \
	"$schemas/guest-config.schema.json" >"$tmp/overrides"
while read -r override; do
	f=$(echo "$override" | jq -r 'keys[0]')
	reply=$("$build/tests/integration/gm-raw" "$sock" \
		"{\"id\":1,\"method\":\"GuestManager.Launch\",\"params\":{\"guest\":\"nokernel\",\"config\":$override}}")
	case $reply in
	*"field '$f': comes from the package"*) refused=yes ;;
	*"'missing' is not a file of the package"*) refused=no ;;
	*) refused="neither: $reply" ;;
	esac
	sed -n "/^\.It Ic $f\$/{n;p;}" "$tmp/fields" | grep -qx "Package only\." && marked=yes || marked=no
	tap_check "'$f': guestmgr-package(5) says package-only: $marked; the daemon refuses it in a Launch: $refused" \
		test "$marked" = "$refused"
done <"$tmp/overrides"
tap_done
