#!/bin/sh
# Opt-in (`make check-systemd`, root, a few seconds): guestmgrd's units
# under a real systemd. The build is installed (make install DESTDIR=) into
# an overlay of the host's root, which systemd-nspawn boots with systemd as
# PID 1 into a target that wants only guestmgrd's units; the checks run in
# the container through nsenter. What the other systemd-*.sh tests show
# piece by piece without systemd, this shows whole: the hardening as
# systemd applies it, socket activation with the modes and group the units
# and the config give, READY=1, a device process confining itself inside
# the service's sandbox, an orderly stop, and activation again on a
# connection. The make target passes the configured directories.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (overlay mount, systemd-nspawn)"
command -v systemd-nspawn >/dev/null ||
	tap_skip_all "systemd-nspawn is not installed (apt-get install systemd-container)"
[ -x /lib/systemd/systemd ] || tap_skip_all "the host has no systemd to boot in the container"

work=$(mktemp -d "${TMPDIR:-/tmp}/check-systemd.XXXXXX")
root=$work/root
nspawn=
init=
# The container powers off (systemctl poweroff would ask logind, which
# the target does not start); whatever is left after 10 s dies with its
# PID 1, so nothing outlives the test.
cleanup() {
	[ -z "$init" ] || nsenter -t "$init" -a systemctl start --no-block \
		--job-mode=replace-irreversibly poweroff.target >/dev/null 2>&1
	if [ -n "$nspawn" ]; then
		_i=0
		while kill -0 "$nspawn" 2>/dev/null && [ "$_i" -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		[ -z "$init" ] || kill -KILL "$init" 2>/dev/null
		kill -KILL "$nspawn" 2>/dev/null
		wait "$nspawn" 2>/dev/null
	fi
	umount "$root" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/upper" "$work/overlay-work" "$root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/overlay-work" "$root" ||
	tap_skip_all "cannot mount an overlay of / (overlayfs)"

make -C "$top_builddir" install DESTDIR="$root" >"$work/install.log" 2>&1
tap_check "make install into the container's root" test $? -eq 0
# The daemon's config and a package of our own: the test guest, launched
# where there is KVM.
mkdir -p "$root$sysconfdir/guestmgr/packages/checkguest"
cp "$top_builddir/testguest/testguest" "$root$sysconfdir/guestmgr/packages/checkguest/"
cat >"$root$sysconfdir/guestmgr/packages/checkguest/guest.json" <<'JSON'
{ "kernel": "testguest", "cmdline": "test=boot echo_timeout_ms=0", "cpus": 1,
  "guest_memory": 67108864, "virtio_rng": true }
JSON
group=src	# on every Debian system, as in manager-access.sh
echo "{ \"control_group\": \"$group\" }" >"$root$sysconfdir/guestmgr/guestmgrd.json"
# A service that is guestmgrd.service but for what it runs: a device
# process, with a frontend that connects and stays silent.
unit_dir=$systemdsystemunitdir
sed -e "s|^ExecStart=.*|ExecStart=/bin/sh -c \"$pkglibexecdir/virtio-rng --socket-path $runstatedir/guestmgr/check.sock --sandbox-uid 1900000123 \\& sleep 1; exec sleep 600 \\| socat - UNIX-CONNECT:$runstatedir/guestmgr/check.sock\"|" \
	-e 's|^Type=notify|Type=simple|' -e '/^Sockets=/d' -e '/^NotifyAccess=/d' \
	"$root$unit_dir/guestmgrd.service" >"$root/etc/systemd/system/guestmgr-check-device.service"
cat >"$root/etc/systemd/system/guestmgr-check.target" <<EOF
[Unit]
Description=guestmgr's units and nothing else
Requires=basic.target
After=basic.target
Wants=guestmgrd.socket guestmgrd-ro.socket guestmgrd.service
EOF

systemd-nspawn --quiet --directory="$root" --private-network --register=no --keep-unit \
	--boot --console=pipe -- systemd.unit=guestmgr-check.target >"$work/nspawn.log" 2>&1 &
nspawn=$!
i=0
while [ -z "$init" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	init=$(cat "/proc/$nspawn/task/$nspawn/children" 2>/dev/null | tr -d ' ')
	i=$((i + 1))
done
# inside COMMAND...: runs COMMAND in the container.
inside() {
	nsenter -t "$init" -a "$@"
}
i=0
until state=$(inside systemctl is-system-running 2>/dev/null) && [ "$state" = running ] || [ "$i" -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
tap_check "systemd boots in the container (state: $state)" test "$state" = running
[ "$state" = running ] || { tap_diag "$(cat "$work/nspawn.log")"; tap_done; exit; }

show() {
	inside systemctl show "$1" -p "$2" --value
}
tap_check "guestmgrd.service is active (Type=notify: it sent READY=1)" \
	test "$(show guestmgrd.service ActiveState)" = active
tap_check "its status says what runs: '$(show guestmgrd.service StatusText)'" \
	test "$(show guestmgrd.service StatusText)" = "0 guests running"
sock=$runstatedir/guestmgr/guestmgr.sock
ro_sock=$runstatedir/guestmgr/guestmgr-ro.sock
tap_check "the control socket: 0660, group $group" test "$(inside stat -c %a.%G "$sock")" = "660.$group"
tap_check "the read-only socket: 0666" test "$(inside stat -c %a "$ro_sock")" = 666

pid=$(show guestmgrd.service MainPID)
status=$(inside cat "/proc/$pid/status")
if command -v capsh >/dev/null; then
	want=$(sed -n 's/^CapabilityBoundingSet=//p' "$root$unit_dir/guestmgrd.service" | tr ' ' '\n' |
		tr 'A-Z' 'a-z' | sort | tr '\n' ' ')
	got=$(capsh --decode="$(echo "$status" | sed -n 's/^CapBnd:[[:space:]]*//p')" |
		sed 's/.*=//' | tr ',' '\n' | sort | tr '\n' ' ')
	tap_check "the daemon's bounding set is the unit's: $got" test "$got" = "$want"
fi
tap_check "the daemon runs with no_new_privs and systemd's seccomp filters" \
	sh -c 'echo "$1" | grep -q "^NoNewPrivs:[[:space:]]*1" && echo "$1" | grep -q "^Seccomp:[[:space:]]*2"' - "$status"

guestctl=$bindir/guestctl
as() {
	_uid=$1 _gid=$2
	shift 2
	inside setpriv --reuid="$_uid" --regid="$_gid" --clear-groups "$guestctl" "$@" >"$work/out" 2>&1
}
as 65534 65534 list
tap_check "nobody lists the guests on the read-only socket" test $? -eq 0
tap_check "the installed package (testguest) and the config's (checkguest) are there" \
	sh -c 'grep -q "^testguest " "$1" && grep -q "^checkguest " "$1"' - "$work/out"
as 65534 65534 stop checkguest
tap_check "nobody cannot reach the control socket (exit 3)" test $? -eq 3
gid=$(getent group "$group" | cut -d: -f3)
as 65534 "$gid" stop checkguest
tap_check "a member of $group can (exit 0)" test $? -eq 0

# A launch: RUNNING where there is KVM, else refused naming /dev/kvm.
if [ -e /dev/kvm ]; then
	inside "$guestctl" launch checkguest >"$work/out" 2>&1
	tap_check "launch checkguest: RUNNING" grep -q "is RUNNING" "$work/out"
	inside "$guestctl" stop checkguest >/dev/null 2>&1
else
	inside "$guestctl" launch checkguest >"$work/out" 2>&1
	tap_check "launch checkguest without KVM: '$(cat "$work/out")'" grep -q "/dev/kvm" "$work/out"
fi

# A device process in the service's sandbox confines itself.
inside systemctl start guestmgr-check-device.service
child=
i=0
while [ -z "$child" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	for p in $(inside pgrep -x virtio-rng); do
		inside grep -q '^Uid:[[:space:]]*1900000123[[:space:]]' "/proc/$p/status" 2>/dev/null &&
			inside grep -q '^Seccomp:[[:space:]]*2' "/proc/$p/status" && child=$p
	done
	i=$((i + 1))
done
tap_check "inside guestmgrd.service's sandbox, a device confines itself (uid 1900000123, seccomp)" test -n "$child"
[ -n "$child" ] || tap_diag "$(inside journalctl -u guestmgr-check-device.service --no-pager | tail -n 5)"
[ -z "$child" ] || tap_check "with an empty bounding set" \
	inside grep -q '^CapBnd:[[:space:]]*0000000000000000' "/proc/$child/status"
inside systemctl stop guestmgr-check-device.service

inside systemctl stop guestmgrd.service
tap_check "systemctl stop: the daemon exits cleanly (result: $(show guestmgrd.service Result))" \
	test "$(show guestmgrd.service Result)" = success
inside journalctl -u guestmgrd.service --no-pager >"$work/journal" 2>&1
tap_check "and says so in the journal" grep -q "stopping every guest, then exiting" "$work/journal"
inside "$guestctl" list >/dev/null 2>&1
tap_check "a connection activates it again" test "$(show guestmgrd.service ActiveState)" = active
tap_done
