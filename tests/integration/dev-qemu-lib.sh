# Boots the `debian` package under QEMU TCG with one of our devices as a
# vhost-user backend (sourced by dev-qemu-*.sh after tests/lib.sh and
# tests/debian-package.sh; QEMU 7.2 has vhost-user-blk-pci and
# vhost-user-rng-pci, but no vhost-user console).

command -v qemu-system-x86_64 >/dev/null ||
	tap_skip_all "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
[ "$(id -u)" -eq 0 ] || tap_skip_all "the device sandbox needs root (namespaces)"

dev_work=$(mktemp -d "${TMPDIR:-/tmp}/dev-qemu.XXXXXX")
dev_pid=
dev_cleanup() {
	[ -z "$dev_pid" ] || kill "$dev_pid" 2>/dev/null
	rm -rf "$dev_work"
}
trap dev_cleanup EXIT

# dev_boot NAME QEMU_DEVICE SCRIPT DEVICE_COMMAND...: starts the device on a
# fresh socket, boots the guest running SCRIPT with -device QEMU_DEVICE
# (chardev c0), waits for both; the guest's console is in
# $dev_work/NAME.log, the device's stderr in $dev_work/NAME.err and its exit
# status in $dev_status.
dev_boot() {
	_name=$1 _qdev=$2 _script=$3
	shift 3
	_sock=$dev_work/$_name.sock
	"$@" --socket-path "$_sock" 2>"$dev_work/$_name.err" &
	dev_pid=$!
	wait_for_socket "$_sock"
	timeout 120 qemu-system-x86_64 -accel tcg -M q35 -m 512 -smp 1 -nographic -no-reboot \
		-object memory-backend-memfd,id=mem,size=512M,share=on -numa node,memdev=mem \
		-chardev socket,id=c0,path="$_sock" -device "$_qdev,chardev=c0" \
		-kernel "$debian_kernel" -initrd "$debian_ramdisk" \
		-append "console=ttyS0 reboot=k panic=-1 tsc_early_khz=$(host_tsc_khz) cryptomgr.notests gm.script=$(base64 -w0 "$_script") gm.run=poweroff" \
		</dev/null 2>&1 | tr -d '\r' >"$dev_work/$_name.log"
	wait "$dev_pid"
	dev_status=$?
	dev_pid=
	tap_check "$_name: the device exited 0 when QEMU hung up (status $dev_status)" \
		test "$dev_status" -eq 0
	[ "$dev_status" -eq 0 ] || tap_diag "$(tail -n 5 "$dev_work/$_name.err")"
}

# dev_guest_value NAME KEY: the value the guest printed as "KEY value".
dev_guest_value() {
	sed -n "s/^$2 //p" "$dev_work/$1.log" | head -n 1
}
