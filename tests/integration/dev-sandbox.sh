#!/bin/sh
# The device sandbox, seen from outside: a running device (virtio-rng, the
# smallest) has no capabilities, no_new_privs, a seccomp filter, its own
# mount/pid/ipc/net/uts namespaces, uid/gid 65534 and an empty root; and a
# syscall off its allowlist kills it with SIGSYS
# (GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL, devices/lib/sandbox.h).
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "the device sandbox needs root (namespaces)"
command -v socat >/dev/null || tap_skip_all "socat is not installed (apt-get install socat)"

rng=$top_builddir/devices/virtio-rng
work=$(mktemp -d "${TMPDIR:-/tmp}/dev-sandbox.XXXXXX")
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

# A frontend's address: the socket file appears at bind(), a moment before
# listen(), so a refused connection is retried (bounded).
frontend() {
	echo "UNIX-CONNECT:$1,retry=100,interval=0.05"
}

# A device with a frontend that connects and stays silent: it sandboxes
# itself and waits for the first message.
"$rng" --socket-path "$work/rng.sock" 2>"$work/rng.err" &
parent=$!
pids="$parent"
wait_for_socket "$work/rng.sock"
sleep 60 | socat - "$(frontend "$work/rng.sock")" &
pids="$pids $!"

# The device is the child the launcher forked into the new pid namespace.
child=
i=0
while [ -z "$child" ] && [ "$i" -lt 200 ]; do
	child=$(cat "/proc/$parent/task/$parent/children" 2>/dev/null | tr -d ' ')
	[ -n "$child" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$child/status" 2>/dev/null || child=
	[ -n "$child" ] || sleep 0.05
	i=$((i + 1))
done
tap_check "the launcher forked the sandboxed device" test -n "$child"
status=/proc/$child/status
field() { sed -n "s/^$1:[[:space:]]*//p" "$status"; }

for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
	tap_check "$cap is empty ($(field $cap))" test "$(field $cap)" = 0000000000000000
done
tap_check "NoNewPrivs is 1" test "$(field NoNewPrivs)" = 1
tap_check "Seccomp is 2 (filter)" test "$(field Seccomp)" = 2
tap_check "uid is 65534 in every slot ($(field Uid))" \
	test "$(field Uid | tr -s '\t ' ' ')" = "65534 65534 65534 65534"
tap_check "gid is 65534 in every slot ($(field Gid))" \
	test "$(field Gid | tr -s '\t ' ' ')" = "65534 65534 65534 65534"
tap_check "no supplementary groups" test -z "$(field Groups)"
for ns in mnt pid ipc net uts; do
	tap_check "own $ns namespace" \
		test "$(readlink "/proc/$child/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")"
done
tap_check "pid 1 in its namespace" test "$(sed -n 's/^NSpid:[[:space:]]*[0-9]*[[:space:]]*//p' "$status")" = 1
tap_check "its root is empty" test -z "$(ls -A "/proc/$child/root/")"
tap_check "its root is not the host's" test ! -e "/proc/$child/root/etc"

# The device does not outlive its launcher (the parent-death signal,
# which dropping the ids would clear, is set again after): once the
# launcher is killed the child is gone, or a zombie nobody reaps.
kill -KILL "$parent"
gone() { ! grep -q '^State:[[:space:]]*[^Z]' "/proc/$child/status" 2>/dev/null; }
i=0
while ! gone && [ "$i" -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
tap_check "killing the launcher kills the sandboxed device" gone

# Each forbidden syscall, and mmap asking for executable memory (mmap is
# allowed, PROT_EXEC is not): the process dies of SIGSYS (status 128 + 31),
# and the launcher passes that on.
for sc in open execve socket mmap-exec; do
	rm -f "$work/f.sock"
	# timeout(1) passes a SIGSYS death on as the same signal; it only
	# bounds a device that never got its frontend.
	GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL=$sc timeout 60 "$rng" --socket-path "$work/f.sock" \
		2>"$work/f.err" &
	p=$!
	wait_for_socket "$work/f.sock"
	socat -u OPEN:/dev/null "$(frontend "$work/f.sock")" 2>/dev/null
	wait "$p"
	st=$?
	tap_check "$sc after sandboxing: killed by SIGSYS (exit status $st)" test "$st" -eq 159
	grep -q "sandbox let it through" "$work/f.err" && tap_diag "$(cat "$work/f.err")"
done

# The backend program conventions: --print-capabilities prints JSON with
# the type, and exits 0 without sandboxing or connecting.
for d in blk:block rng:rng console:console; do
	caps=$("$top_builddir/devices/virtio-${d%%:*}" --print-capabilities | tr -d ' \n')
	tap_check "virtio-${d%%:*} --print-capabilities: type ${d#*:}" \
		sh -c 'case "$1" in "{\"type\":\"$2\",\"features\":["*"]}") exit 0 ;; esac; exit 1' - "$caps" "${d#*:}"
done

tap_done
