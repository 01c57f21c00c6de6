#!/bin/sh
# guestmgr-vmm confined (vmm/README.md "Sandbox"), started as guestmgrd
# starts it (--config-fd, vmm-send-config playing the daemon) and seen from
# outside as dev-sandbox.sh sees a device: its own namespaces, an empty
# root, the uid it was given, no capabilities, a seccomp filter on every
# thread, its launcher confined too; it still talks to the daemon. A
# syscall or ioctl off its allowlist kills it with SIGSYS
# (GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL, devices/lib/sandbox.h). The test
# guest's scenarios pass confined, devices and all, and a KVM error is
# reported with where the vCPU was. Standalone (--config), it is confined
# only when asked (--sandbox, --sandbox-uid), SIGTERM stops it in order
# either way, it runs on a terminal, and asked where it cannot be confined
# it runs nothing.
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm
[ "$(id -u)" -eq 0 ] || tap_skip_all "the sandbox needs root (namespaces)"
work=$tmp
. "$top_srcdir/tests/integration/dev-sandbox-lib.sh"

# Below the base of the uids started by hand (SANDBOX_UID_BASE), so no
# other process here has it.
uid=1879048190
stopped_by_command='{"event":"stopped","exit_status":3,"message":"stopped by the daemon'"'"'s stop command"}'

# wait_for_line FILE TEXT: until FILE has a line starting with TEXT (at
# most a minute).
wait_for_line() {
	_i=0
	while ! grep -q "^$2" "$1" 2>/dev/null && [ "$_i" -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# The vmm seen from outside while its guest runs, then stopped by the
# daemon's command.
fd_config watched "test=boot exit=halt" 2
vmm_args="--sandbox-uid $uid"
daemon_run watched --then "wait:$tmp/looked" --then "send:$stop" &
helper=$!
wait_for_line "$tmp/watched.events" "$running"
launcher=$(sed -n 's/^pid //p' "$tmp/watched.events")
child=$(sandboxed_child "$launcher")
tap_check "the launcher forked the confined vmm" test -n "$child"
# Its fd 0, closed by the sandbox, is taken by the first fd it makes.
check_confined "vmm" "$child" "$launcher" reused
tap_check "--sandbox-uid $uid: the vmm runs as that uid" \
	test "$(status_field "$child" Uid)" = "$uid $uid $uid $uid"
threads=$(ls "/proc/$child/task" | wc -l)
filtered=$(grep -l '^Seccomp:[[:space:]]*2' /proc/"$child"/task/*/status | wc -l)
tap_check "every thread (main, 2 vCPUs: $threads) has the seccomp filter ($filtered)" \
	test "$threads" -ge 3 -a "$filtered" -eq "$threads"
touch "$tmp/looked"
wait "$helper"
st=$?
tap_check "confined: running, then stopped by the stop command" \
	saw watched "$running" "$stopped_by_command" || show_control watched
tap_check "confined: status 3" test "$st" -eq 3

# Off the allowlist: SIGSYS, which the launcher dies of too (128 + 31).
fd_config forbidden "test=boot exit=halt" 1
vmm_args=
for call in open execve socket mmap-exec fork ioctl-tty; do
	GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL=$call daemon_run forbidden
	st=$?
	if [ "$st" -eq 159 ] && grep -q "^test: calling $call inside the sandbox" "$tmp/forbidden.err" &&
		! grep -q "^test: $call returned" "$tmp/forbidden.err"; then
		tap_ok "$call: the vmm dies of SIGSYS"
	else
		tap_not_ok "$call: the vmm dies of SIGSYS (status $st)"
		show_control forbidden
	fi
done

# The test guest's scenarios, confined, with the devices confined too:
# the console's far end sends a line and quit once it has the hello.
rng=$top_builddir/devices/virtio-rng
blk=$top_builddir/devices/virtio-blk
con=$top_builddir/devices/virtio-console
head -c 262144 /dev/urandom > "$tmp/disk.img"
want_crc=$(gzip -c < "$tmp/disk.img" | tail -c 8 | od -An -tx4 -N4 | tr -d ' ')
cat > "$tmp/far.sh" <<PEER
IFS= read -r hello
printf 'hi there\\nquit\\n'
cat > /dev/null
PEER
far_end far
start_device rng "$rng"
start_device blk "$blk" --blk-file "$tmp/disk.img"
start_device con "$con" --console-socket "$tmp/far.sock"
fd_config all "test=boot,acpi,irq,smp,pci,blk,rng,console expect_cpus=2" 2 '"vhost_user_devices": [
	{ "type": "rng", "socket": "'"$tmp"'/rng.sock" },
	{ "type": "blk", "socket": "'"$tmp"'/blk.sock" },
	{ "type": "console", "socket": "'"$tmp"'/con.sock" } ]'
daemon_run all
st=$?
for scenario in boot acpi irq smp pci blk rng console; do
	tap_check "confined: every $scenario check passes" sh -c \
		"grep -q '^TEST $scenario\\.' '$tmp/all.out' && ! grep -q '^TEST $scenario\\..* FAIL' '$tmp/all.out'" ||
		show_control all
done
tap_check "confined: the guest read the disk ($want_crc)" \
	grep -q "^INFO blk_crc32=$want_crc " "$tmp/all.out"
tap_check "confined: status 0, 'guest stopped: i8042 reset'" \
	check_stop all "$st" 0 "guest stopped: i8042 reset"

# A KVM error, confined: where the vCPU was is read through the ioctls
# the allowlist keeps for it.
mmio_exec mmio-exec --sandbox-uid "$uid"

# Standalone: unconfined unless asked; SIGTERM stops it in order either
# way (confined, the launcher passes it on).
# standalone NAME [VMM-ARGS...]: the vmm on $tmp/NAME.json, stopped by
# SIGTERM once its guest has reported; $seccomp is the Seccomp field of
# the vmm (or of its confined child) before that, $st its status.
standalone() {
	_name=$1
	shift
	"$vmm" --config "$tmp/$_name.json" "$@" </dev/null >"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	_pid=$!
	wait_for_line "$tmp/$_name.out" SUMMARY
	_child=$(children "$_pid")
	seccomp=$(status_field "${_child:-$_pid}" Seccomp)
	kill -TERM "$_pid"
	wait "$_pid"
	st=$?
}
guest_config plain "test=boot exit=halt"
for how in "" --sandbox "--sandbox-uid $uid"; do
	# shellcheck disable=SC2086 # $how is a list of arguments
	standalone plain $how
	[ -n "$how" ] && want=2 || want=0
	tap_check "--config${how:+ $how}: Seccomp $want (got $seccomp)" test "$seccomp" = "$want"
	tap_check "--config${how:+ $how}: SIGTERM stops it in order (status 3, got $st)" \
		check_stop plain "$st" 3 "stopped by SIGTERM" || show plain
done

# On a terminal (stdin, stdout and stderr), as someone runs it by hand:
# the confined vmm makes no terminal ioctl of its own, and the guest
# echoes what is typed.
if command -v script >/dev/null; then
	guest_config tty "test=boot,echo echo_timeout_ms=30000"
	(sleep 2; printf 'hello\rquit\r'; sleep 2) |
		timeout $bounded script -qfec "$vmm --config $tmp/tty.json --sandbox" /dev/null \
		>"$tmp/tty.out" 2>&1
	st=$?
	tap_check "on a terminal, confined: the guest echoes a line typed, status 0 (got $st)" \
		sh -c '[ "$1" -eq 0 ] && grep -q "ECHO hello" "$2"' - "$st" "$tmp/tty.out" ||
		tap_diag "$(tr -d '\r' <"$tmp/tty.out")"
else
	tap_skip "on a terminal" "script (util-linux) is not installed"
fi

# Asked to be confined where it cannot be (no CAP_SYS_ADMIN), the vmm
# says why and runs nothing.
if command -v setpriv >/dev/null; then
	printf '{ "kernel": "%s", "cmdline": "test=boot", "guest_memory": 67108864, "kvm": { "fd": 5 } }\n' \
		"$testguest" >"$tmp/nonroot.json"
	chmod a+rx "$tmp"
	chmod a+r "$tmp/nonroot.json"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$vmm" --sandbox --config "$tmp/nonroot.json" \
		</dev/null 5<>/dev/kvm >"$tmp/nonroot.out" 2>"$tmp/nonroot.err"
	st=$?
	tap_check "--sandbox without CAP_SYS_ADMIN: status 1, 'vmm: sandbox: ...'" \
		check_stop nonroot "$st" 1 "sandbox: new mount, pid, ipc, net and uts namespaces" ||
		show nonroot
	tap_check "--sandbox without CAP_SYS_ADMIN: no guest code ran" test ! -s "$tmp/nonroot.out"
else
	tap_skip "--sandbox without CAP_SYS_ADMIN" "setpriv is not installed"
fi

tap_done
