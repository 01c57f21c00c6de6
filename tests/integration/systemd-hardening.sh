#!/bin/sh
# What guestmgrd.service's hardening allows is what the processes it runs
# use, checked without systemd:
#  - a device process sandboxes itself within the unit's
#    CapabilityBoundingSet= and NoNewPrivileges=, and without each of the
#    capabilities its sandbox uses it fails, saying what it could not do;
#    CAP_KILL lets the daemon (root) stop a device, which runs as a uid of
#    its own;
#  - the namespaces it makes are in RestrictNamespaces=;
#  - every system call the daemon and a device make (traced with strace),
#    and every call of the devices' and the vmm's seccomp allowlists, is in
#    SystemCallFilter= as `systemd-analyze syscall-filter` expands it.
# The vmm runs guests only with KVM; where there is none its calls are
# not traced here.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "the device sandbox needs root (namespaces)"
for tool in setpriv socat strace systemd-analyze; do
	command -v "$tool" >/dev/null || tap_skip_all "needs $tool (scripts/setup.sh installs it)"
done

unit=$build/manager/systemd/guestmgrd.service
rng=$build/devices/virtio-rng
key() {
	sed -n "s/^$1=//p" "$unit"
}
gm_setup
pids=
trap 'for p in $pids; do kill -KILL "$p" 2>/dev/null; done; gm_stop; rm -rf "$tmp"' EXIT

# The bounding set in setpriv's words: -all,+sys_admin,...
caps=-all$(key CapabilityBoundingSet | tr 'A-Z ' 'a-z\n' | sed -n 's/^cap_\(.*\)/,+\1/p' | tr -d '\n')
tap_check "NoNewPrivileges=yes" test "$(key NoNewPrivileges)" = yes
tap_diag "the unit's bounding set: $caps"

# device CAPS NAME: virtio-rng in bounding set CAPS, no_new_privs, as uid
# $uid (as the daemon starts it), with a frontend that connects and stays
# silent (it sandboxes itself then); sets launcher. device_child waits for
# the sandboxed child (and its launcher to take its uid) and sets child.
uid=1900000123
device() {
	rm -f "$tmp/$2.sock"
	setpriv --bounding-set="$1" --no-new-privs "$rng" --socket-path "$tmp/$2.sock" \
		--sandbox-uid "$uid" 2>"$tmp/$2.err" &
	launcher=$!
	pids="$pids $launcher"
	wait_for_socket "$tmp/$2.sock"
	# sleep keeps no fd of the test's output, which the harness waits on.
	sleep 10 2>/dev/null | socat - "UNIX-CONNECT:$tmp/$2.sock,retry=100,interval=0.05" 2>/dev/null &
	pids="$pids $!"
}
device_child() {
	child=
	_i=0
	while [ -z "$child" ] && [ "$_i" -lt 200 ]; do
		child=$(cat "/proc/$launcher/task/$launcher/children" 2>/dev/null | tr -d ' ')
		# Confined, and its launcher has taken the same uid.
		[ -n "$child" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$child/status" 2>/dev/null &&
			grep -q "^Uid:[[:space:]]*$uid[[:space:]]" "/proc/$launcher/status" 2>/dev/null || child=
		[ -n "$child" ] || sleep 0.05
		_i=$((_i + 1))
	done
	[ -n "$child" ]
}
# alive PID: PID runs (is not gone, nor a zombie).
alive() {
	grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null
}
# gone PID: PID is no longer alive within 5 s.
gone() {
	_i=0
	while alive "$1" && [ "$_i" -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	! alive "$1"
}

device "$caps" ok
tap_check "in the unit's bounding set, the device sandboxes itself" device_child
tap_check "it runs as uid $uid" grep -q "^Uid:[[:space:]]*$uid[[:space:]]" "/proc/$child/status"

# Its namespaces, each allowed by RestrictNamespaces=.
allowed=" $(key RestrictNamespaces) "
for ns in $(ls "/proc/$child/ns"); do
	[ "$(readlink "/proc/$child/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] || continue
	type=${ns%_for_children}
	tap_check "its own $ns namespace is allowed by RestrictNamespaces=" \
		sh -c 'case "$1" in *" $2 "*) exit 0 ;; esac; exit 1' - "$allowed" "$type"
done

# CAP_KILL: the daemon, root, stops a device (its launcher and the
# sandboxed child both run as the device's uid by then) with a signal.
device "$(echo "$caps" | sed 's/,+kill//')" nokill
device_child
setpriv --bounding-set="$(echo "$caps" | sed 's/,+kill//')" kill -TERM "$launcher" 2>"$tmp/kill.err"
tap_check "without CAP_KILL, root cannot signal a device: '$(cat "$tmp/kill.err")'" \
	grep -q "Operation not permitted" "$tmp/kill.err"
sleep 0.5
tap_check "which runs on" alive "$child"
setpriv --bounding-set="$caps" kill -TERM "$launcher"
tap_check "with it (the unit's set), SIGTERM stops the device" gone "$child"

# Each capability the sandbox uses: without it, the device stops and
# says what failed.
for c in "sys_admin:namespaces" "setpcap:dropping capability" "setgid:switching to uid" \
	"setuid:switching to uid"; do
	cap=${c%%:*}
	device "$(echo "$caps" | sed "s/,+$cap//")" "no-$cap"
	i=0
	while kill -0 "$launcher" 2>/dev/null && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	tap_check "without CAP_$(echo "$cap" | tr a-z A-Z) the device stops: '$(head -n 1 "$tmp/no-$cap.err")'" \
		grep -q "sandbox: .*${c#*:}.*Operation not permitted" "$tmp/no-$cap.err"
done

# --- system calls ----------------------------------------------------------
# expand TOKEN...: the system calls a SystemCallFilter= allow list names.
expand() {
	for t in "$@"; do
		case $t in
		@*) systemd-analyze syscall-filter --no-pager "$t" 2>/dev/null |
			sed '1d;/^[[:space:]]*#/d;s/^[[:space:]]*//' | while read -r n; do expand "$n"; done ;;
		*) echo "$t" ;;
		esac
	done
}
filter=$(key SystemCallFilter)
tap_check "SystemCallFilter= is an allow list ($filter)" sh -c 'case "$1" in ""|"~"*) exit 1 ;; esac' - "$filter"
# shellcheck disable=SC2086 # the list's tokens
expand $filter | sort -u >"$tmp/allowed"

# A device from start to sandboxed and idle, traced.
rm -f "$tmp/traced.sock"
strace -f -qq -o "$tmp/device.trace" "$rng" --socket-path "$tmp/traced.sock" 2>/dev/null &
pids="$pids $!"
wait_for_socket "$tmp/traced.sock"
sleep 2 | socat - "UNIX-CONNECT:$tmp/traced.sock,retry=100,interval=0.05" 2>/dev/null
# The daemon: start, list, a launch (it fails where there is no KVM),
# wipe, stop.
strace -f -qq -o "$tmp/daemon.trace" "$build/manager/guestmgrd/guestmgrd" --config "$tmp/guestmgrd.json" \
	--vmm "$build/vmm/guestmgr-vmm" --device-dir "$build/devices" >"$tmp/daemon.log" 2>&1 &
tracer=$!
pids="$pids $tracer"
wait_for_socket "$ro_sock"
gctl list >/dev/null
gctl launch testguest >/dev/null 2>&1 && gctl stop --force testguest >/dev/null
gctl wipe testguest >/dev/null
# The daemon is strace's child; strace ends with it.
kill -TERM $(cat "/proc/$tracer/task/$tracer/children")
wait "$tracer"
# The allowlists (devices/lib/seccomp_lists.c, each device's *_syscalls[],
# vmm/seccomp_lists.c), and what the vmm is allowed beyond names: clone and
# clone3 for its threads, ioctl for its KVM requests.
{
	sed -n '/_syscalls\[\] = {/,/^};/s/^[[:space:]]*"\([a-z0-9_]*\)",.*/\1/p' \
		"$top_srcdir"/devices/lib/seccomp_lists.c "$top_srcdir"/devices/*.c \
		"$top_srcdir"/vmm/seccomp_lists.c
	printf '%s\n' clone clone3 ioctl
} | sort -u >"$tmp/allowlists"
tap_check "the allowlists name system calls ($(wc -l <"$tmp/allowlists"))" test -s "$tmp/allowlists"
for what in device daemon; do
	sed -n 's/^[0-9]*[[:space:]]*\([a-z0-9_]*\)(.*/\1/p' "$tmp/$what.trace" | sort -u >"$tmp/$what.calls"
	tap_check "the $what made system calls ($(wc -l <"$tmp/$what.calls"))" test -s "$tmp/$what.calls"
done
for what in device daemon allowlists; do
	[ "$what" = allowlists ] && list=$tmp/allowlists || list=$tmp/$what.calls
	missing=$(comm -23 "$list" "$tmp/allowed" | tr '\n' ' ')
	tap_check "SystemCallFilter= allows every call of the $what${missing:+ (not: $missing)}" test -z "$missing"
done
tap_done
