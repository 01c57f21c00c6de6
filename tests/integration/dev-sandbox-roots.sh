#!/bin/sh
# The device sandbox where the service may run other than on the host's
# own root: in a chroot whose / is not a mount point, and in a container
# (its own mount and pid namespaces, its root pivoted onto a tmpfs). In
# each, virtio-rng ends up confined (dev-sandbox-lib.sh), serves the test
# frontend and ends with status 0; and no mount leaks out of its namespace
# although the mounts around it are shared, as systemd makes them. (An
# initramfs root: devices/README.md "Sandbox" says how it was checked.)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/dev-sandbox-lib.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "the device sandbox needs root (namespaces)"
for tool in unshare pivot_root chroot; do
	command -v $tool >/dev/null || tap_skip_all "$tool is not installed (util-linux, coreutils)"
done

own_mount_namespace "$@"
rng=$top_builddir/devices/virtio-rng
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done' EXIT

# serves_confined NAME ROOT LAUNCHER JOB: the device that LAUNCHER (a pid)
# runs in ROOT, listening at ROOT/run/rng.sock, is confined, then serves
# the frontend, and ends with status 0, which JOB (the pid this shell
# started it as) passes on.
serves_confined() {
	wait_for_socket "$2/run/rng.sock"
	hold_frontend "$2/run/rng.sock" "$work/$1-front.log"
	pids="$pids $front"
	child=$(sandboxed_child "$3")
	tap_check "$1: the launcher forked the sandboxed device" test -n "$child"
	[ -n "$child" ] || tap_diag "$(cat "$work/$1.err")"
	check_confined "$1" "$child" "$3"
	release_frontend
	tap_check "$1: the device serves the frontend" test $? -eq 0
	grep -q '^not ok' "$work/$1-front.log" && tap_diag "$(cat "$work/$1-front.log")"
	wait "$4"
	st=$?
	tap_check "$1: the frontend hung up: the device ends, its launcher with status 0 ($st)" \
		test "$st" -eq 0
	[ "$st" -eq 0 ] || tap_diag "$(cat "$work/$1.err")"
}

# A chroot: its / is a directory in a shared tmpfs.
mkdir "$work/chroot"
make_root "$work/chroot"
before=$(mount_points)
chroot "$work/chroot" "$rng" --socket-path /run/rng.sock 2>"$work/chroot.err" &
job=$!
pids="$pids $job"
serves_confined chroot "$work/chroot" "$job" "$job"
tap_check "chroot: no mount leaked out of the device's namespace" test "$(mount_points)" = "$before"

# A container (dev-sandbox-lib.sh: in_container); the device is its pid 1.
mkdir "$work/container"
mount -t tmpfs tmpfs "$work/container"
make_root "$work/container"
before=$(mount_points)
in_container "$work/container" "$work/container.err" "$rng" --socket-path /run/rng.sock
pids="$pids $job"
serves_confined container "$work/container" "$launcher" "$job"
tap_check "container: no mount leaked out of the device's namespace" test "$(mount_points)" = "$before"

tap_done
