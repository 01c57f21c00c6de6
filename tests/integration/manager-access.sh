#!/bin/sh
# Who may do what: the control socket is 0660 with the configured group,
# the read-only socket 0666 and monitor methods only, and the daemon checks
# each peer's credentials (SO_PEERCRED) itself, so a control socket left
# open by mistake still refuses strangers. Needs root (setpriv), no KVM.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to run clients as other users"
command -v setpriv >/dev/null || tap_skip_all "needs setpriv (util-linux)"

gm_setup
# A group for the control socket: 'src' exists on every Debian system and
# no test user is in it.
group=src
gid=$(getent group "$group" | cut -d: -f3)
cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$tmp/packages"], "state_dir": "$tmp/state", "run_dir": "$tmp/run",
  "control_group": "$group" }
JSON
chmod 755 "$tmp"
gm_start

tap_check "control socket mode 0660" test "$(stat -c %a "$sock")" = 660
tap_check "control socket group $group" test "$(stat -c %g "$sock")" = "$gid"
tap_check "read-only socket mode 0666" test "$(stat -c %a "$ro_sock")" = 666

# as UID GID ARGS...: guestctl as another user, no supplementary groups.
as() {
	_uid=$1 _gid=$2
	shift 2
	setpriv --reuid="$_uid" --regid="$_gid" --clear-groups \
		"$build/manager/guestctl/guestctl" "$@"
}

gm_status_is "nobody lists the guests on the read-only socket" 0 \
	as 65534 65534 --ro-socket "$ro_sock" list
gm_status_is "nobody cannot open the control socket" 3 \
	as 65534 65534 --socket "$sock" launch testguest
gm_expect "and is told why" "the control socket is for root and the control group" \
	as 65534 65534 --socket "$sock" launch testguest
gm_status_is "a control method on the read-only socket is refused" 1 \
	as 65534 65534 --socket "$ro_sock" launch testguest
gm_expect "as PERMISSION_DENIED, saying which socket" \
	"PERMISSION_DENIED: GuestManager.Launch needs the control socket" \
	as 65534 65534 --socket "$ro_sock" launch testguest

# The daemon does not trust the file mode alone.
chmod 666 "$sock"
gm_expect "with the control socket opened up, a stranger is still refused" \
	"PERMISSION_DENIED: GuestManager.Launch: uid 65534 is neither root nor in the control group $group" \
	as 65534 65534 --socket "$sock" launch testguest
gm_expect "a member of the control group is let through" "UNKNOWN_GUEST" \
	as 65534 "$gid" --socket "$sock" launch nosuchguest
gm_expect "root is let through" "UNKNOWN_GUEST" gctl launch nosuchguest
gm_status_is "monitor methods work for anyone on the control socket" 0 \
	as 65534 65534 --socket "$sock" --ro-socket "$sock" list
tap_done
