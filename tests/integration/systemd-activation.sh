#!/bin/sh
# guestmgrd started as systemd starts it from guestmgrd.service: both
# sockets passed by socket activation (systemd-socket-activate), told
# apart by path; READY=1, STATUS= and STOPPING=1 sent from the main pid
# to a NOTIFY_SOCKET the test owns (notify-recv); and all of it within
# the unit's CapabilityBoundingSet= and NoNewPrivileges=. No systemd as
# PID 1 and no KVM needed; root is (setpriv, the socket's group).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (setpriv --bounding-set, chown)"
command -v systemd-socket-activate >/dev/null ||
	tap_skip_all "systemd-socket-activate is not installed (apt-get install systemd)"
command -v setpriv >/dev/null || tap_skip_all "needs setpriv (util-linux)"

unit=$build/manager/systemd/guestmgrd.service
# The unit's bounding set in setpriv's words: -all,+sys_admin,...
caps=-all$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z ' 'a-z\n' |
	sed -n 's/^cap_\(.*\)/,+\1/p' | tr -d '\n')
grep -q '^NoNewPrivileges=yes$' "$unit" && nnp=--no-new-privs || nnp=
tap_diag "the unit's bounding set: $caps $nnp"

gm_setup
group=src	# on every Debian system, as in manager-access.sh
gid=$(getent group "$group" | cut -d: -f3)
cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$tmp/packages"], "state_dir": "$tmp/state", "run_dir": "$tmp/run",
  "control_group": "$group" }
JSON

notify_pid=
trap 'gm_stop; [ -z "$notify_pid" ] || kill "$notify_pid"; rm -rf "$tmp"' EXIT
"$build/tests/integration/notify-recv" "$tmp/notify" >"$tmp/notify.log" 2>&1 &
notify_pid=$!
wait_for_socket "$tmp/notify"

# exit_status PID: waits for PID (a child of this shell) to exit, killing
# it after 10 s; sets st to its exit status.
exit_status() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ "$_i" -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1"
	st=$?
}

# activate CAPS: the daemon behind systemd-socket-activate, as the unit
# starts it: both sockets, NOTIFY_SOCKET, the bounding set CAPS. The
# program execs the daemon on the first connection, in the same process.
activate() {
	rm -f "$sock" "$ro_sock"
	setpriv --bounding-set="$1" $nnp systemd-socket-activate --seqpacket \
		-l "$sock" -l "$ro_sock" -E NOTIFY_SOCKET="$tmp/notify" \
		"$build/manager/guestmgrd/guestmgrd" --config "$tmp/guestmgrd.json" \
		--vmm "$build/vmm/guestmgr-vmm" --device-dir "$build/devices" \
		>>"$tmp/daemon.log" 2>&1 &
	gm_daemon_pid=$!
	wait_for_socket "$sock" && wait_for_socket "$ro_sock"
}

# notified PID LINE: notify-recv got LINE from PID (within 10 s).
notified() {
	_i=0
	while ! grep -qx "$1 $2" "$tmp/notify.log" && [ "$_i" -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	grep -qx "$1 $2" "$tmp/notify.log"
}

activate "$caps"
pid=$gm_daemon_pid
inode=$(stat -c %i "$sock")
ro_inode=$(stat -c %i "$ro_sock")
gm_status_is "the read-only socket answers guestctl list (and starts the daemon)" 0 \
	gctl --ro-socket "$ro_sock" list
tap_check "the process is now guestmgrd" \
	test "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$build/manager/guestmgrd/guestmgrd")"
gm_status_is "the control socket answers guestctl list" 0 gctl --ro-socket "$sock" list
gm_expect "the control socket serves control methods" "guest 'testguest': had no persistent disk" \
	gctl wipe testguest
gm_expect "the read-only socket is known by its path and refuses them" \
	"PERMISSION_DENIED: GuestManager.WipeStorage needs the control socket" \
	gctl --socket "$ro_sock" wipe testguest
tap_check "the sockets are the ones passed (same inodes: none was made again)" \
	test "$(stat -c %i "$sock").$(stat -c %i "$ro_sock")" = "$inode.$ro_inode"
tap_check "the control socket has the control_group ($group)" \
	test "$(stat -c %g "$sock")" = "$gid"
tap_check "READY=1 from the main pid" notified "$pid" READY=1
tap_check "STATUS= counts the running guests" notified "$pid" "STATUS=0 guests running"

kill -TERM "$pid"
exit_status "$pid"
gm_daemon_pid=
tap_check "SIGTERM: STOPPING=1 from the main pid" notified "$pid" STOPPING=1
tap_check "SIGTERM: the daemon exits 0 (status $st)" test "$st" -eq 0
tap_check "the sockets are left to systemd, which made them" \
	test "$(stat -c %i "$sock" 2>/dev/null).$(stat -c %i "$ro_sock" 2>/dev/null)" = "$inode.$ro_inode"

# What the hardening denies fails clearly: without CAP_CHOWN the control
# socket cannot get its group, and the daemon says so and stops.
activate "$(echo "$caps" | sed 's/,+chown//')"
gm_status_is "without CAP_CHOWN: the daemon stops at once" 3 gctl --ro-socket "$ro_sock" list
pid=$gm_daemon_pid
exit_status "$pid"
gm_daemon_pid=
tap_check "and exits 1 (status $st)" test "$st" -eq 1
gm_expect "saying which socket, which group and why" \
	"socket '$sock': group '$group': Operation not permitted" cat "$tmp/daemon.log"
tap_check "STATUS=failed: to the service manager" \
	grep -q "^$pid STATUS=failed: socket '$sock': group '$group'" "$tmp/notify.log"

# A passed socket at neither configured path (units and run_dir out of
# step) is refused rather than served with rights nobody chose for it.
cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$tmp/packages"], "state_dir": "$tmp/state", "run_dir": "$tmp/elsewhere" }
JSON
mkdir -p "$tmp/elsewhere"
activate "$caps"
gctl --ro-socket "$ro_sock" list >/dev/null 2>&1
pid=$gm_daemon_pid
exit_status "$pid"
gm_daemon_pid=
tap_check "a socket the config does not name: the daemon exits 1 (status $st)" test "$st" -eq 1
gm_expect "and says the units and run_dir disagree" "do the socket units and run_dir agree?" \
	cat "$tmp/daemon.log"
tap_done
