#!/bin/sh
# The device sandbox on the host, seen from outside (dev-sandbox-lib.sh):
# virtio-rng, the smallest device, confined (no capabilities,
# no_new_privs, seccomp, a uid and gid of its own, its own namespaces, an
# empty root, no stdin; its launcher without capabilities, under seccomp)
# and then serving the test frontend. Two devices run under different
# uids, and a process running as nobody can signal neither. The launcher
# passes a stop signal and the device's end on. What the sandbox cannot
# take (root or nobody as the uid, stdin as the socket, no CAP_SYS_ADMIN)
# is refused with the reason. A syscall off the
# allowlist kills the device with SIGSYS
# (GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL, devices/lib/sandbox.h).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/dev-sandbox-lib.sh"

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

# silent_device NAME [OPTION...]: starts virtio-rng with a frontend that
# connects and stays silent, so that the device sandboxes itself and
# waits; sets launcher and child.
silent_device() {
	_sd_name=$1
	shift
	"$rng" --socket-path "$work/$_sd_name.sock" "$@" 2>"$work/$_sd_name.err" &
	launcher=$!
	pids="$pids $launcher"
	wait_for_socket "$work/$_sd_name.sock"
	sleep 60 | socat - "$(frontend "$work/$_sd_name.sock")" &
	pids="$pids $!"
	child=$(sandboxed_child "$launcher")
}

fails() {
	! "$@"
}

gone() {
	! grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null
}

# A process running as nobody, the uid every device had before.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# The first device, held by the test frontend: confined before its first
# message, then it serves and ends with status 0, which its launcher
# passes on.
"$rng" --socket-path "$work/a.sock" 2>"$work/a.err" &
a=$!
pids="$a"
wait_for_socket "$work/a.sock"
hold_frontend "$work/a.sock" "$work/front.log"
pids="$pids $front"
a_child=$(sandboxed_child "$a")
tap_check "the launcher forked the sandboxed device" test -n "$a_child"
check_confined "device" "$a_child" "$a"
a_uid=$(status_field "$a_child" Uid)

# A second device, with the uid a spawner gives it.
silent_device b --sandbox-uid 1879048191
b=$launcher
b_child=$child
tap_check "--sandbox-uid 1879048191: the device runs as that uid" \
	test "$(status_field "$b_child" Uid)" = "1879048191 1879048191 1879048191 1879048191"
tap_check "two devices, two uids ($a_uid; $(status_field "$b_child" Uid))" \
	test "$a_uid" != "$(status_field "$b_child" Uid)"
tap_check "a process running as nobody cannot kill a device" \
	fails as_nobody kill -KILL "$a_child" "$b_child" 2>/dev/null
tap_check "nor its launcher" fails as_nobody kill -KILL "$a" "$b" 2>/dev/null
alive() {
	for _a_pid; do
		gone "$_a_pid" && return 1
	done
	return 0
}
tap_check "both devices are still there" alive "$a_child" "$b_child"

release_frontend
tap_check "the device serves the frontend" test $? -eq 0
grep -q '^not ok' "$work/front.log" && tap_diag "$(cat "$work/front.log" "$work/a.err")"
wait "$a"
st=$?
tap_check "the frontend hung up: the device ends, its launcher with status 0 ($st)" test "$st" -eq 0

# SIGTERM to the launcher: it kills the device, reaps it, and dies of
# the same SIGTERM (status 128 + 15).
kill -TERM "$b"
wait "$b"
st=$?
tap_check "SIGTERM to the launcher: it dies of SIGTERM (exit status $st)" test "$st" -eq 143
tap_check "and the device is gone before it" test ! -e "/proc/$b_child"

# The device does not outlive its launcher (the parent-death signal,
# which dropping the ids would clear, is set again after): once the
# launcher is killed the child is gone, or a zombie nobody reaps.
silent_device c
kill -KILL "$launcher"
i=0
while ! gone "$child" && [ "$i" -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
tap_check "killing the launcher kills the sandboxed device" gone "$child"

# Started with stdin closed, the device takes fd 0 for none of its own
# fds (the sandbox closes fd 0), and serves as well.
"$rng" --socket-path "$work/d.sock" <&- 2>"$work/d.err" &
d=$!
pids="$pids $d"
wait_for_socket "$work/d.sock"
hold_frontend "$work/d.sock" "$work/front-d.log"
release_frontend
tap_check "started with stdin closed, the device serves the frontend" test $? -eq 0
wait "$d"
st=$?
tap_check "and ends with status 0 ($st)" test "$st" -eq 0
grep -q '^not ok' "$work/front-d.log" && tap_diag "$(cat "$work/front-d.log" "$work/d.err")"

# What the sandbox refuses, with the reason: refused REASON COMMAND...
refused() {
	_r_reason=$1
	shift
	_r_msg=$("$@" 2>&1 >/dev/null </dev/null)
	_r_st=$?
	tap_diag "$_r_msg"
	[ "$_r_st" -ne 0 ] && case $_r_msg in *"$_r_reason"*) true ;; *) false ;; esac
}
tap_check "--sandbox-uid 0 refused: root" \
	refused "that is root" "$rng" --fd 3 --sandbox-uid 0 3</dev/null
tap_check "--sandbox-uid 65534 refused: nobody" \
	refused "that is nobody" "$rng" --fd 3 --sandbox-uid 65534 3</dev/null
tap_check "--fd 0 refused: stdin, which the sandbox closes" refused "that is stdin" "$rng" --fd 0
# Without CAP_SYS_ADMIN (a container may lack it) there are no
# namespaces: the device says so and does not run unconfined.
tap_check "without CAP_SYS_ADMIN: refused, saying why" \
	refused "needs root or CAP_SYS_ADMIN" setpriv --bounding-set=-sys_admin "$rng" --fd 3 3</dev/null

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
