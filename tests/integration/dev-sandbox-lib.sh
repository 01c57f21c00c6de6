# The sandbox (devices/lib/sandbox.c) seen from outside, for a device
# (dev-sandbox.sh on the host, dev-sandbox-roots.sh in a chroot and a
# container) and the vmm (vmm-sandbox.sh, vmm-sandbox-roots.sh); plain
# POSIX sh, so that busybox runs it too (an initramfs root). Sourced after
# tests/lib.sh; needs $work, a scratch directory.

# children PID: the pids of PID's children, separated by single spaces.
children() {
	set -- $(cat "/proc/$1/task/$1/children" 2>/dev/null)
	echo "$*"
}

# sandboxed_child PARENT: the child that the launcher PARENT
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
	[ $# -eq 4 ] || return 1
	[ "$1" = "$2" ] && [ "$1" = "$3" ] && [ "$1" = "$4" ] || return 1
	[ "$1" != 0 ] && [ "$1" != 65534 ] || return 1
	if command -v getent >/dev/null; then
		! getent passwd "$1" >/dev/null
	else
		! grep -q "^[^:]*:[^:]*:$1:" /etc/passwd 2>/dev/null
	fi
}

# check_confined NAME CHILD PARENT [FD0]: TAP checks that the process CHILD,
# started by PARENT, is confined: no capabilities, no_new_privs, seccomp,
# a uid and gid of its own, its own namespaces, pid 1 there, an empty
# root, stdin closed; and that PARENT, which waits outside, has no
# capabilities, the same ids, a seccomp filter and no stdin either. FD0
# "reused": CHILD made fds of its own since it closed stdin (the vmm
# does), so fd 0 may be one of them, an anonymous inode, never a file.
check_confined() {
	_cc_name=$1
	_cc_child=$2
	_cc_parent=$3
	_cc_fd0=${4:-}
	if [ ! -r "/proc/$_cc_child/status" ] || [ ! -r "/proc/$_cc_parent/status" ]; then
		tap_not_ok "$_cc_name: no confined process to look at"
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
	if [ "$_cc_fd0" = reused ]; then
		_cc_stdin=$(readlink "/proc/$_cc_child/fd/0")
		tap_check "$_cc_name: stdin is closed (fd 0: ${_cc_stdin:-closed})" \
			test -z "${_cc_stdin%%anon_inode:*}"
	else
		tap_check "$_cc_name: stdin is closed" test ! -e "/proc/$_cc_child/fd/0"
	fi
	tap_check "$_cc_name: the launcher has no capabilities (CapEff, CapBnd)" \
		test "$(status_field "$_cc_parent" CapEff) $(status_field "$_cc_parent" CapBnd)" = \
		"0000000000000000 0000000000000000"
	tap_check "$_cc_name: the launcher has a seccomp filter" \
		test "$(status_field "$_cc_parent" Seccomp)" = 2
	tap_check "$_cc_name: the launcher has the same uid" \
		test "$(status_field "$_cc_parent" Uid)" = "$_cc_uid"
	tap_check "$_cc_name: the launcher's stdin is closed" test ! -e "/proc/$_cc_parent/fd/0"
}

# own_mount_namespace "$@": the calling script runs again in a mount
# namespace of its own, so that nothing it mounts reaches the host, and
# this one exits with its status. There / is made shared, as systemd makes
# it, and $work is a tmpfs, which goes with the namespace (the rm that
# follows stays on its file system: no bind mount is followed).
own_mount_namespace() {
	if [ "${1:-}" != in-namespace ]; then
		_omn_work=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0" .sh).XXXXXX")
		unshare --mount sh "$0" in-namespace "$_omn_work"
		_omn_st=$?
		rm -rf --one-file-system "$_omn_work"
		exit "$_omn_st"
	fi
	work=$2
	mount --make-rshared / && mount -t tmpfs tmpfs "$work" ||
		tap_skip_all "cannot mount in a mount namespace of the test's own"
}

# mount_points: every mount point of this namespace, sorted.
mount_points() {
	cut -d' ' -f5 /proc/self/mountinfo | sort
}

# make_root DIR: a root to run the build tree's programs in (a chroot, a
# container): the host's /usr and /etc, its merged-/usr links (or
# directories), the build tree at its own path, /run for sockets, and
# /dev/kvm where the host has it. Bind mounts: the caller runs in a mount
# namespace of its own.
make_root() {
	mkdir -p "$1/usr" "$1/etc" "$1/run" "$1$top_builddir"
	mount --bind /usr "$1/usr"
	mount --bind /etc "$1/etc"
	mount --bind "$top_builddir" "$1$top_builddir"
	for _mr_d in bin sbin lib lib64; do
		if [ -L "/$_mr_d" ]; then
			ln -s "$(readlink "/$_mr_d")" "$1/$_mr_d"
		elif [ -d "/$_mr_d" ]; then
			mkdir "$1/$_mr_d"
			mount --bind "/$_mr_d" "$1/$_mr_d"
		fi
	done
	if [ -c /dev/kvm ]; then
		mkdir -p "$1/dev"
		touch "$1/dev/kvm"
		mount --bind /dev/kvm "$1/dev/kvm"
	fi
}

# in_container ROOT ERR PROGRAM [ARGS...]: PROGRAM in a container on ROOT
# (made by make_root, on a mount of its own), in the background: new mount
# and pid namespaces (mounts slaves of the host's), ROOT pivoted into, its
# own /proc, the old root detached; PROGRAM is its pid 1, its stderr goes
# to ERR. $job is the container's starter, $launcher PROGRAM's pid once it
# runs (empty if it did not within 10 s).
in_container() {
	mkdir -p "$1/proc"
	_ic_root=$1 _ic_err=$2
	shift 2
	unshare --mount --propagation slave --pid --fork sh -c '
		cd "$1" && mkdir old && pivot_root . old && mount -t proc proc /proc &&
		umount -l /old && rmdir /old && shift && exec "$@"' - "$_ic_root" "$@" 2>"$_ic_err" &
	job=$!
	_ic_i=0
	launcher=
	while [ -z "$launcher" ] && [ "$_ic_i" -lt 200 ]; do
		launcher=$(children "$job")
		[ -n "$launcher" ] || sleep 0.05
		_ic_i=$((_ic_i + 1))
	done
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
