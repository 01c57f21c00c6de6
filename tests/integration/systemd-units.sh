#!/bin/sh
# The systemd units as built (manager/systemd/): `systemd-analyze verify`
# has nothing to say about them (their ExecStart pointed at the build
# tree's daemon, their Documentation= at the build tree's man pages), the
# offline security review rates the service no worse than it does now, and
# the service and its two sockets name each other. PID 1 need not be
# systemd: verify works offline.
. "$top_srcdir/tests/lib.sh"

command -v systemd-analyze >/dev/null ||
	tap_skip_all "systemd-analyze is not installed (apt-get install systemd)"

build=$top_builddir
units="guestmgrd.service guestmgrd.socket guestmgrd-ro.socket"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The man pages where man(1) finds them, as installed.
for page in guestctl.1 guestmgrd.8 guestmgr-package.5; do
	mkdir -p "$tmp/man/man${page##*.}"
	ln -s "$build/manager/man/$page" "$tmp/man/man${page##*.}/$page"
done
mkdir "$tmp/units"
for u in $units; do
	sed "s|^ExecStart=[^ ]*/guestmgrd|ExecStart=$build/manager/guestmgrd/guestmgrd|" \
		"$build/manager/systemd/$u" >"$tmp/units/$u"
done

cd "$tmp/units" || exit 1
for u in $units; do
	out=$(MANPATH=$tmp/man systemd-analyze verify "$u" 2>&1)
	st=$?
	tap_check "systemd-analyze verify $u: exit 0 (got $st), nothing to say" test "$st" -eq 0 -a -z "$out"
	[ -z "$out" ] || tap_diag "$out"
done

# The review's score (0 best, 10 worst): a change that weakens the
# hardening makes it worse; one that strengthens it can lower this bar.
exposure=$(systemd-analyze security --offline=true --no-pager ./guestmgrd.service 2>/dev/null |
	sed -n 's/.*Overall exposure level for guestmgrd.service: \([0-9.]*\).*/\1/p')
tap_check "offline security review: exposure $exposure, at most 2.8" \
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.8) }'

key() {
	sed -n "s/^$2=//p" "$1"
}
tap_check "the service takes both sockets" \
	test "$(key guestmgrd.service Sockets)" = "guestmgrd.socket guestmgrd-ro.socket"
for s in guestmgrd.socket guestmgrd-ro.socket; do
	tap_check "$s activates guestmgrd.service" test "$(key "$s" Service)" = guestmgrd.service
done
# The modes guestmgrd gives the sockets it makes itself (guestmgrd(8)).
tap_check "the control socket: guestmgr.sock, mode 0660" \
	test "$(key guestmgrd.socket ListenSequentialPacket | sed 's|.*/||').$(key guestmgrd.socket SocketMode)" = \
	guestmgr.sock.0660
tap_check "the read-only socket: guestmgr-ro.sock, mode 0666" \
	test "$(key guestmgrd-ro.socket ListenSequentialPacket | sed 's|.*/||').$(key guestmgrd-ro.socket SocketMode)" = \
	guestmgr-ro.sock.0666
tap_check "both in one directory, the one the service may write" \
	sh -c 'd=$(dirname "$1"); [ "$d" = "$(dirname "$2")" ] && echo " $3 " | grep -q " $d "' - \
	"$(key guestmgrd.socket ListenSequentialPacket)" "$(key guestmgrd-ro.socket ListenSequentialPacket)" \
	"$(key guestmgrd.service ReadWritePaths)"
tap_done
