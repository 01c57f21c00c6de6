#!/bin/sh
# Linux on guestmgr-vmm: the `debian` package, with its own command line
# (no workaround: no tsc_early_khz, clearcpuid, noxsave) and `quiet` (the
# serial port is slow under nested KVM), boots on a KVM that runs Linux:
# hardware virtualization, else the nested-KVM rig (tests/rig/README.md).
# Three boots, on 1, 2 and 4 vCPUs:
#   - each time Linux says it runs on KVM and switches to kvm-clock, its
#     log has no WARNING, "unstable" or XSAVE consistency line, every vCPU
#     comes up, /init says GUESTMGR-READY, and the vmm ends with status 0
#     and the reason: ACPI S5 for a poweroff (1 vCPU: /init's; 4 vCPUs: the
#     ACPI power button, pressed through the vmm's control socket, which
#     Linux's button driver and the package's acpid answer), the i8042
#     reset for a reboot=k reboot (2 vCPUs);
#   - on 2 vCPUs, every device we have, driven by Linux's own drivers on our
#     vmm (tests/integration/vmm-linux-guest.sh is what the guest runs):
#     virtio-blk raw (md5, write + flush reaching the file), read-only
#     (Linux sees it so and refuses to write), volatile (the guest reads its
#     write back, the file stays as it was) and qcow2 (md5, write; qemu-img
#     check clean, the write there); virtio-rng (/dev/hwrng); virtio-console
#     (hvc0 both ways); the serial console's input (a command typed on
#     ttyS0 runs, and reboots the guest); interrupts through MSI-X vectors,
#     counted in /proc/interrupts; no notify write reaches the vmm.
. "$top_srcdir/tests/integration/vmm-lib.sh"
. "$top_srcdir/tests/debian-package.sh"

# Built before the rig (inside, it would be emulated), quietly: the TAP
# lines come from the run inside, where the package is then up to date.
[ -n "${GUESTMGR_RIG:-}" ] || (debian_package >/dev/null 2>&1)
need_linux_kvm
[ "$(id -u)" -eq 0 ] || tap_skip_all "the device sandbox needs root (namespaces)"
command -v socat >/dev/null || tap_skip_all "socat is not installed"
command -v qemu-img >/dev/null || tap_skip_all "qemu-img is not installed (qemu-utils)"
debian_package || { tap_done; exit; }

# Linux boots in tens of seconds under nested KVM.
vmm_timeout=${VMM_TEST_TIMEOUT:-300}
dev=$top_builddir/devices
send_config=$top_builddir/tests/integration/vmm-send-config
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# What every boot's guest runs first (gm.script): the facts of the boot,
# then the script disk's checks where there is one.
cat >"$tmp/boot.sh" <<'EOF'
dmesg | grep -E 'Booting paravirt|Switched to clocksource|WARNING|unstable|XSAVE consistency' |
	sed 's/^\[[^]]*\] */fact dmesg: /'
echo "fact cpus $(grep -c ^processor /proc/cpuinfo)"
for d in /sys/block/vd*; do
	[ "$(cat "$d/serial" 2>/dev/null)" = script ] && sh "/dev/${d##*/}"
done
EOF
package_cmdline=$(_debian_json_string cmdline)

# linux_config NAME CPUS GM_RUN [EXTRA-JSON-MEMBERS]: $tmp/NAME.json, the
# package's kernel, initramfs and command line.
linux_config() {
	cat >"$tmp/$1.json" <<EOF
{ "kernel": "$debian_kernel", "ramdisk": "$debian_ramdisk",
  "cmdline": "$package_cmdline quiet gm.run=$3 gm.script=$(base64 -w0 "$tmp/boot.sh")",
  "cpus": $2, "guest_memory": 268435456${4:+, $4} }
EOF
}

# fact NAME WHAT: the rest of the guest's "fact WHAT ..." line.
fact() {
	tr -d '\r' <"$tmp/$1.out" | sed -n "s/^fact $2 //p" | head -n 1
}

# Under QEMU's TCG the vCPUs of a nested guest do not see one TSC: Linux on
# QEMU -enable-kvm in the rig says this too; elsewhere it fails the test.
rig_tsc='tsc: Marking TSC unstable due to TSCs unsynchronized'

# boot_checks NAME CPUS STATUS REASON: what every boot must show.
boot_checks() {
	failed_before=$tap_failed
	tap_check "$2 vCPU(s): Linux boots paravirtualized on KVM" \
		grep -q 'fact dmesg: Booting paravirtualized kernel on KVM' "$tmp/$1.out"
	tap_check "$2 vCPU(s): Linux switches to kvm-clock" \
		grep -q 'fact dmesg: clocksource: Switched to clocksource kvm-clock' "$tmp/$1.out"
	tr -d '\r' <"$tmp/$1.out" | sed -n 's/^fact dmesg: //p' >"$tmp/$1.dmesg"
	if [ -n "${GUESTMGR_RIG:-}" ] && grep -qxF "$rig_tsc" "$tmp/$1.dmesg"; then
		tap_diag "$2 vCPU(s): '$rig_tsc': the rig's nested TSCs, QEMU -enable-kvm's guest says so there too"
		grep -vxF "$rig_tsc" "$tmp/$1.dmesg" >"$tmp/$1.dmesg-"
		mv "$tmp/$1.dmesg-" "$tmp/$1.dmesg"
	fi
	tap_check "$2 vCPU(s): no WARNING, unstable or XSAVE consistency line in the kernel's log" \
		sh -c '! grep -E "WARNING|unstable|XSAVE consistency" "$1"' - "$tmp/$1.dmesg"
	tap_check "$2 vCPU(s): all come up (guest says $(fact "$1" cpus))" test "$(fact "$1" cpus)" = "$2"
	ready=$(tr -d '\r' <"$tmp/$1.out" | sed -n 's/^GUESTMGR-READY uptime=//p')
	tap_check "$2 vCPU(s): GUESTMGR-READY (at ${ready:-?} s of guest uptime)" test -n "$ready"
	tap_check "$2 vCPU(s): status 0, '$4' (got $3)" check_stop "$1" "$3" 0 "$4"
	[ "$tap_failed" -eq "$failed_before" ] || show "$1"
}

# timed NAME [ACTION...]: runs the vmm on $tmp/NAME.json with --stats
# (stdin from $tmp/NAME.in when it exists); with ACTIONs, under
# vmm-send-config, which plays the daemon on the vmm's control socket and
# runs them (its --then actions) once the guest runs. Sets st and ms.
timed() {
	name=$1
	shift
	in=/dev/null
	[ -p "$tmp/$name.in" ] && in=$tmp/$name.in
	actions=
	for a; do
		actions="$actions --then $a"
	done
	start_ns=$(date +%s%N)
	if [ -n "$actions" ]; then
		# shellcheck disable=SC2086 # one word per action (no spaces in them)
		timeout $bounded "$send_config" $actions "$tmp/$name.json" -- "$vmm" --stats \
			<"$in" >"$tmp/$name.out" 2>"$tmp/$name.err"
	else
		timeout $bounded "$vmm" --config "$tmp/$name.json" --stats \
			<"$in" >"$tmp/$name.out" 2>"$tmp/$name.err"
	fi
	st=$?
	ms=$((($(date +%s%N) - start_ns) / 1000000))
	tap_diag "$name: the vmm ran $ms ms"
}

# 1 vCPU, powered off by /init; 4 vCPUs, powered off by the ACPI power
# button pressed through the vmm's control socket once the guest's shell
# runs; 2 vCPUs with the devices below, rebooted.
linux_config smp1 1 poweroff
timed smp1
boot_checks smp1 1 "$st" "guest stopped: ACPI power off (S5)"
linux_config smp4 4 shell
timed smp4 "expect:$tmp/smp4.out:GUESTMGR-SCRIPT-EXIT" 'send:{"command":"power_button"}'
boot_checks smp4 4 "$st" "guest stopped: ACPI power off (S5)"
tap_check "4 vCPU(s): Linux powered off on the ACPI power button" \
	grep -q 'guestmgr-init: the power button was pressed: powering off' "$tmp/smp4.out"

# The devices, on two vCPUs. Disks, each found in the guest by its serial:
# raw read-write, qcow2 (made by qemu-img from the same kind of content),
# raw volatile, and the read-only script disk (the guest's checks, padded
# with newlines to whole sectors).
head -c 4194304 /dev/urandom >"$tmp/rw.img"
head -c 4194304 /dev/urandom >"$tmp/qcow.raw"
qemu-img convert -q -f raw -O qcow2 "$tmp/qcow.raw" "$tmp/qcow.qcow2"
head -c 4194304 /dev/urandom >"$tmp/vol.img"
{ cat "$top_srcdir/tests/integration/vmm-linux-guest.sh"; yes '' | head -c 65536; } |
	head -c 65536 >"$tmp/script.img"
for f in rw.img qcow.raw vol.img script.img; do
	md5sum <"$tmp/$f" | cut -d' ' -f1 >"$tmp/$f.md5"
done

# start_device NAME PROGRAM [OPTIONS...]: serves $tmp/NAME.sock.
start_device() {
	name=$1
	shift
	"$@" --socket-path "$tmp/$name.sock" 2>"$tmp/$name.dev.err" &
	pids="$pids $!"
	device_pids="$device_pids $!"
	wait_for_socket "$tmp/$name.sock" ||
		tap_not_ok "device $name listens on its socket: $(cat "$tmp/$name.dev.err")"
}
device_pids=
start_device rw "$dev/virtio-blk" --blk-file "$tmp/rw.img" --serial rw
start_device qcow "$dev/virtio-blk" --blk-file "$tmp/qcow.qcow2" --format qcow2 --serial qcow
start_device vol "$dev/virtio-blk" --blk-file "$tmp/vol.img" --volatile --volatile-dir "$tmp" --serial vol
start_device script "$dev/virtio-blk" --blk-file "$tmp/script.img" --read-only --serial script
start_device rng "$dev/virtio-rng"
# The console's far end waits for the guest's line, answers, keeps the rest.
cat >"$tmp/far.sh" <<EOF
IFS= read -r hello
printf '%s\n' "\$hello" >"$tmp/hvc.got"
printf 'FROM-THE-HOST\n'
cat >>"$tmp/hvc.got"
EOF
socat UNIX-LISTEN:"$tmp/far.sock" SYSTEM:"sh $tmp/far.sh" 2>/dev/null &
pids="$pids $!"
wait_for_socket "$tmp/far.sock"
start_device con "$dev/virtio-console" --console-socket "$tmp/far.sock"

devices=
for d in rw qcow vol script rng con; do
	case $d in
	rng) type=rng ;;
	con) type=console ;;
	*) type=blk ;;
	esac
	devices="$devices${devices:+, }{ \"type\": \"$type\", \"socket\": \"$tmp/$d.sock\" }"
done
linux_config devices 2 shell "\"vhost_user_devices\": [ $devices ]"

# The serial console's input: once the checks are done and /init starts
# its shell on ttyS0, a command typed there prints and reboots (reboot=k:
# through the i8042's reset line).
mkfifo "$tmp/devices.in"
(
	exec 3>"$tmp/devices.in"
	i=0
	while [ $i -lt 3000 ] && ! grep -q '^GUESTMGR-SCRIPT-EXIT' "$tmp/devices.out" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	printf 'echo TYPED-$((6 * 7)); reboot -f\n' >&3
) &
typist=$!
timed devices
kill "$typist" 2>/dev/null
# The devices end when the vmm hangs up: then the files are final. Those
# the vmm never reached are stopped.
any_alive() {
	for p; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
i=0
# shellcheck disable=SC2086 # a list of pids
while [ $i -lt 100 ] && any_alive $device_pids; do
	sleep 0.1
	i=$((i + 1))
done
for p in $device_pids; do
	kill "$p" 2>/dev/null
done
boot_checks devices 2 "$st" "guest stopped: i8042 reset"

md5() {
	cat "$tmp/$1.md5"
}
# md5 of the 4 KiB a guest's mark() writes.
marked() {
	head -c 4096 /dev/zero | tr '\0' "$1" | md5sum | cut -d' ' -f1
}
tap_check "blk raw: the guest's md5 of the disk is the file's" test "$(fact devices 'md5 rw')" = "$(md5 rw.img)"
tap_check "blk raw: a write and flush, read back from the disk in the guest" \
	test "$(fact devices 'write rw')" = "ok $(marked W)"
tap_check "blk raw: the write is in the file" \
	test "$(dd if="$tmp/rw.img" bs=4096 skip=256 count=1 2>/dev/null | md5sum | cut -d' ' -f1)" = "$(marked W)"
tap_check "blk qcow2: the guest's md5 of the disk is its content's" test "$(fact devices 'md5 qcow')" = "$(md5 qcow.raw)"
tap_check "blk qcow2: a write and flush, read back from the disk in the guest" \
	test "$(fact devices 'write qcow')" = "ok $(marked Q)"
tap_check "blk qcow2: qemu-img check finds no errors or leaks" qemu-img check -q "$tmp/qcow.qcow2"
tap_check "blk qcow2: qemu-img reads the guest's write" \
	qemu-io -f qcow2 -r -c 'read -q -P 0x51 1M 4k' "$tmp/qcow.qcow2"
tap_check "blk volatile: the guest's md5 of the disk is the file's" test "$(fact devices 'md5 vol')" = "$(md5 vol.img)"
tap_check "blk volatile: the guest reads its write back" test "$(fact devices 'write vol')" = "ok $(marked V)"
tap_check "blk volatile: the file is untouched" test "$(md5sum <"$tmp/vol.img" | cut -d' ' -f1)" = "$(md5 vol.img)"
tap_check "blk read-only: Linux sees the disk read-only" test "$(fact devices ro-flag)" = 1
tap_check "blk read-only: a write is refused, the file untouched" sh -c \
	'[ "$1" = refused ] && [ "$(md5sum <"$2" | cut -d" " -f1)" = "$3" ]' - \
	"$(fact devices 'write script')" "$tmp/script.img" "$(md5 script.img)"
tap_check "rng: /dev/hwrng is virtio_rng and gives 64 bytes ($(fact devices rng))" \
	sh -c 'case $1 in "virtio_rng."*" 64") true ;; *) false ;; esac' - "$(fact devices rng)"
tap_check "console: the far end got the guest's line on hvc0" grep -qx HVC-HELLO "$tmp/hvc.got"
tap_check "console: the guest read the far end's line on hvc0" test "$(fact devices 'hvc0 got')" = FROM-THE-HOST
tap_check "serial input: a command typed on ttyS0 ran" sh -c 'tr -d "\r" <"$1" | grep -qx TYPED-42' - "$tmp/devices.out"

# Interrupts: every device's vectors are MSI-X (none through the IOAPIC),
# and each of the six devices has taken some.
tr -d '\r' <"$tmp/devices.out" | sed -n 's/^fact irq //p' >"$tmp/irqs"
tap_diag "the guest's virtio interrupts (count, delivery, name):" "$(cat "$tmp/irqs")"
tap_check "interrupts: every virtio vector is an MSI-X one" \
	sh -c '[ -s "$1" ] && ! grep -qv "^[0-9]* msix " "$1"' - "$tmp/irqs"
tap_check "interrupts: each of the 6 devices took some" \
	test "$(awk '$1 > 0 { sub(/-.*/, "", $3); print $3 }' "$tmp/irqs" | sort -u | wc -l)" -eq 6
tap_check "no notify write of any device reached the vmm" \
	test "$(grep -c '): notify exits 0$' "$tmp/devices.err")" -eq 6
[ "$tap_failed" -eq 0 ] || {
	show devices
	for d in rw qcow vol script rng con; do
		tap_diag "device $d:" "$(cat "$tmp/$d.dev.err")"
	done
}

tap_done
