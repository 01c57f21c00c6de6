#!/bin/sh
# The vmm's sandbox (vmm/README.md "Sandbox") where the service may run
# other than on the host's own root, as dev-sandbox-roots.sh checks the
# devices': in a chroot whose / is not a mount point, and in a container
# (its own mount and pid namespaces, its root pivoted onto a tmpfs). In
# each, guestmgr-vmm --sandbox boots the test guest confined
# (dev-sandbox-lib.sh), its guest's checks pass, SIGTERM stops it in order
# (status 3), and no mount leaks out of its namespace although the mounts
# around it are shared, as systemd makes them. (An initramfs root:
# tests/rig/rig.sh.)
. "$top_srcdir/tests/lib.sh"
need_kvm
. "$top_srcdir/tests/integration/dev-sandbox-lib.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "the sandbox needs root (namespaces)"
for tool in unshare pivot_root chroot; do
	command -v $tool >/dev/null || tap_skip_all "$tool is not installed (util-linux, coreutils)"
done

own_mount_namespace "$@"
vmm=$top_builddir/vmm/guestmgr-vmm
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done' EXIT

# guest_in ROOT: the test guest's config at ROOT/run/guest.json, paths as
# seen inside ROOT; its checks done, it halts until stopped.
guest_in() {
	printf '{ "kernel": "%s", "cmdline": "test=boot,smp exit=halt expect_cpus=2", "cpus": 2, "guest_memory": 67108864 }\n' \
		"$top_builddir/testguest/testguest" >"$1/run/guest.json"
}

# wait_for_summary NAME: until the guest has reported (at most a minute).
wait_for_summary() {
	_i=0
	while ! grep -q '^SUMMARY' "$work/$1.out" 2>/dev/null && [ "$_i" -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# runs_confined NAME LAUNCHER JOB: the vmm LAUNCHER (a pid) runs is
# confined while its guest runs, the guest's checks pass, and SIGTERM to
# LAUNCHER stops the vmm in order: status 3, which JOB (the pid this shell
# started it as) passes on.
runs_confined() {
	child=$(sandboxed_child "$2")
	tap_check "$1: the launcher forked the confined vmm" test -n "$child"
	[ -n "$child" ] || tap_diag "$(cat "$work/$1.err")"
	wait_for_summary "$1"
	check_confined "$1" "$child" "$2" reused
	tap_check "$1: the guest's checks pass" \
		grep -Eq '^SUMMARY [1-9][0-9]* passed, 0 failed' "$work/$1.out"
	kill -TERM "$2"
	wait "$3"
	st=$?
	tap_check "$1: SIGTERM stops it in order (status 3, got $st)" test "$st" -eq 3
	tap_check "$1: and it says so" grep -q '^vmm: stopped by SIGTERM' "$work/$1.err" ||
		tap_diag "$(cat "$work/$1.err")"
}

# A chroot: its / is a directory in a shared tmpfs.
mkdir "$work/chroot"
make_root "$work/chroot"
guest_in "$work/chroot"
before=$(mount_points)
chroot "$work/chroot" "$vmm" --sandbox --config /run/guest.json \
	</dev/null >"$work/chroot.out" 2>"$work/chroot.err" &
job=$!
pids="$pids $job"
runs_confined chroot "$job" "$job"
tap_check "chroot: no mount leaked out of the vmm's namespace" test "$(mount_points)" = "$before"

# A container (dev-sandbox-lib.sh: in_container); the vmm is its pid 1.
mkdir "$work/container"
mount -t tmpfs tmpfs "$work/container"
make_root "$work/container"
guest_in "$work/container"
before=$(mount_points)
in_container "$work/container" "$work/container.err" \
	"$vmm" --sandbox --config /run/guest.json </dev/null >"$work/container.out"
pids="$pids $job"
runs_confined container "$launcher" "$job"
tap_check "container: no mount leaked out of the vmm's namespace" test "$(mount_points)" = "$before"

tap_done
