# The device sandbox seen from outside, for dev-sandbox.sh (on the host)
# and dev-sandbox-roots.sh (in a chroot and a container); plain POSIX sh,
# so that busybox runs it too (an initramfs root). Sourced after
# tests/lib.sh; needs $work, a scratch directory.

# children PID: the pids of PID's children, separated by single spaces.
children() {
	set -- $(cat "/proc/$1/task/$1/children" 2>/dev/null)
	echo "$*"
}

# sandboxed_child PARENT: the child that the device's launcher PARENT
# forked into the sandbox, once it has its seccomp filter (waits at most
# 10 s); empty if there is none.
sandboxed_child() {
	_sc_tries=0
	while [ "$_sc_tries" -lt 200 ]; do
		for _sc_pid in $(children "$1"); do
			if grep -q '^Seccomp:[[:space:]]*2' "/proc/$_sc_pid/status" 2>/dev/null; then
				echo "$_sc_pid"
				return
			fi
		done
		sleep 0.05
		_sc_tries=$((_sc_tries + 1))
	done
}

# status_field PID FIELD: a field of /proc/PID/status, blanks squeezed.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' '
}

# own_id ID: ID in all four slots (real, effective, saved, filesystem) is
# neither root nor nobody, and no user in the user database has it.
own_id() {
	set -- $1
	[ "$1" = "$2" ] && [ "$1" = "$3" ] && [ "$1" = "$4" ] || return 1
	[ "$1" != 0 ] && [ "$1" != 65534 ] || return 1
	if command -v getent >/dev/null; then
		! getent passwd "$1" >/dev/null
	else
		! grep -q "^[^:]*:[^:]*:$1:" /etc/passwd 2>/dev/null
	fi
}

# check_confined NAME CHILD PARENT: TAP checks that the device CHILD,
# started by PARENT, is confined: no capabilities, no_new_privs, seccomp,
# a uid and gid of its own, its own namespaces, pid 1 there, an empty
# root, stdin closed; and that PARENT, which waits outside, has no
# capabilities, the same ids, a seccomp filter and no stdin either.
check_confined() {
	_cc_name=$1
	_cc_child=$2
	_cc_parent=$3
	if [ ! -r "/proc/$_cc_child/status" ] || [ ! -r "/proc/$_cc_parent/status" ]; then
		tap_not_ok "$_cc_name: no confined device to look at"
		return
	fi
	for _cc_cap in CapInh CapPrm CapEff CapBnd CapAmb; do
		tap_check "$_cc_name: $_cc_cap is empty" \
			test "$(status_field "$_cc_child" $_cc_cap)" = 0000000000000000
	done
	tap_check "$_cc_name: NoNewPrivs is 1" test "$(status_field "$_cc_child" NoNewPrivs)" = 1
	tap_check "$_cc_name: Seccomp is 2 (filter)" test "$(status_field "$_cc_child" Seccomp)" = 2
	_cc_uid=$(status_field "$_cc_child" Uid)
	tap_check "$_cc_name: a uid of its own ($_cc_uid)" own_id "$_cc_uid"
	tap_check "$_cc_name: gid the same as the uid ($(status_field "$_cc_child" Gid))" \
		test "$(status_field "$_cc_child" Gid)" = "$_cc_uid"
	tap_check "$_cc_name: no supplementary groups" test -z "$(status_field "$_cc_child" Groups)"
	for _cc_ns in mnt pid ipc net uts; do
		tap_check "$_cc_name: own $_cc_ns namespace" \
			test "$(readlink "/proc/$_cc_child/ns/$_cc_ns")" != "$(readlink "/proc/self/ns/$_cc_ns")"
	done
	tap_check "$_cc_name: pid 1 in its namespace" \
		test "$(status_field "$_cc_child" NSpid | awk '{ print $NF }')" = 1
	tap_check "$_cc_name: its root is empty" test -z "$(ls -A "/proc/$_cc_child/root/")"
	tap_check "$_cc_name: its root is not the starter's" test ! -e "/proc/$_cc_child/root/etc"
	tap_check "$_cc_name: stdin is closed" test ! -e "/proc/$_cc_child/fd/0"
	tap_check "$_cc_name: the launcher has no capabilities (CapEff, CapBnd)" \
		test "$(status_field "$_cc_parent" CapEff) $(status_field "$_cc_parent" CapBnd)" = \
		"0000000000000000 0000000000000000"
	tap_check "$_cc_name: the launcher has a seccomp filter" \
		test "$(status_field "$_cc_parent" Seccomp)" = 2
	tap_check "$_cc_name: the launcher has the device's uid" \
		test "$(status_field "$_cc_parent" Uid)" = "$_cc_uid"
	tap_check "$_cc_name: the launcher's stdin is closed" test ! -e "/proc/$_cc_parent/fd/0"
}

# hold_frontend SOCKET LOG: connects the test frontend (check_dev_rng) to
# the virtio-rng listening at SOCKET; the device sandboxes itself and waits
# for a first message, which comes only after release_frontend.
hold_frontend() {
	rm -f "$work/hold"
	mkfifo "$work/hold"
	GUESTMGR_TEST_DEVICE_SOCKET=$1 "$top_builddir/tests/unit/check_dev_rng" \
		<"$work/hold" >"$2" 2>&1 &
	front=$!
	exec 9>"$work/hold"
}

# release_frontend: the frontend brings the device up, reads random bytes
# through it and hangs up; true if all that passed.
release_frontend() {
	# In a subshell: a frontend that is gone would end this shell with
	# SIGPIPE.
	(echo >&9) 2>/dev/null
	exec 9>&-
	wait "$front"
}
