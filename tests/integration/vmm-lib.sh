# Shared by the vmm-*.sh tests (sourced): boot the test guest on
# guestmgr-vmm and judge its report.
. "$top_srcdir/tests/lib.sh"

vmm=$top_builddir/vmm/guestmgr-vmm
testguest=$top_builddir/testguest/testguest
# A stuck guest fails its test instead of hanging the suite.
vmm_timeout=${VMM_TEST_TIMEOUT:-120}

# timeout(1)'s arguments for a run: SIGTERM after $vmm_timeout seconds,
# and SIGKILL 10 s later should an orderly stop hang too. A variable, not
# a function, so that a run in the background is timeout's own process.
bounded="-k 10 $vmm_timeout"

tmp=$(mktemp -d)
# What a test starts in the background (devices, a console's far end).
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# guest_config NAME CMDLINE [EXTRA-JSON-MEMBERS]: $tmp/NAME.json, the test
# guest with 256 MiB unless the extra members say otherwise (a later
# duplicate key would be refused, so memory is the last default).
guest_config() {
	case "$3" in
	*guest_memory*) mem= ;;
	*) mem='"guest_memory": 268435456' ;;
	esac
	printf '{ "kernel": "%s", "cmdline": "%s"%s%s }\n' \
		"$testguest" "$2" "${mem:+, $mem}" "${3:+, $3}" > "$tmp/$1.json"
}

# run_vmm NAME [VMM-ARGS...]: runs the vmm on $tmp/NAME.json, input from
# /dev/null, into $tmp/NAME.out and $tmp/NAME.err; returns its status.
run_vmm() {
	name=$1
	shift
	timeout $bounded "$vmm" --config "$tmp/$name.json" "$@" \
		< /dev/null > "$tmp/$name.out" 2> "$tmp/$name.err"
}

# show NAME: the run's output and messages, for a reader of a failure.
show() {
	tap_diag "guest output:"
	sed 's/^/# /' "$tmp/$1.out"
	tap_diag "vmm stderr:"
	sed 's/^/# /' "$tmp/$1.err"
}

# guest_passed NAME: the guest reported at least one check and no failure.
guest_passed() {
	grep -Eq '^SUMMARY [1-9][0-9]* passed, 0 failed' "$tmp/$1.out" &&
		! grep -q '^TEST .* FAIL' "$tmp/$1.out"
}

# check_stop NAME STATUS WANT-STATUS REASON: the vmm exited with
# WANT-STATUS and said REASON on stderr.
check_stop() {
	[ "$2" -eq "$3" ] && grep -qF "vmm: $4" "$tmp/$1.err"
}

# judge DESC NAME STATUS: two checks on a finished run: every guest check
# passed, and the vmm stopped through the guest's i8042 reset, status 0.
judge() {
	if guest_passed "$2"; then
		tap_ok "$1: the guest's checks pass"
	else
		tap_not_ok "$1: the guest's checks pass"
		show "$2"
	fi
	tap_check "$1: status 0, 'guest stopped: i8042 reset'" \
		check_stop "$2" "$3" 0 "guest stopped: i8042 reset"
}

# scenario DESC NAME CMDLINE [EXTRA-JSON-MEMBERS]: boot and judge.
scenario() {
	guest_config "$2" "$3" "$4"
	run_vmm "$2"
	judge "$1" "$2" $?
}

# start_device NAME PROGRAM [OPTIONS...]: a device serving $tmp/NAME.sock;
# waits until it listens.
start_device() {
	name=$1
	shift
	"$@" --socket-path "$tmp/$name.sock" 2> "$tmp/$name.dev.err" &
	pids="$pids $!"
	wait_for_socket "$tmp/$name.sock"
}

# far_end NAME: the far end of a console, $tmp/NAME.sock, runs the script
# $tmp/NAME.sh on the console device's connection.
far_end() {
	socat UNIX-LISTEN:"$tmp/$1.sock" SYSTEM:"sh $tmp/$1.sh" 2> /dev/null &
	pids="$pids $!"
	wait_for_socket "$tmp/$1.sock"
}

# The manager's way in: --config-fd, with vmm-send-config playing the
# daemon (it checks each message the vmm sends against its schema).
send_config=$top_builddir/tests/integration/vmm-send-config
running='{"event":"running"}'
stop='{"command":"stop"}'

# fd_config NAME CMDLINE CPUS [EXTRA-JSON-MEMBERS]: $tmp/NAME.json for
# --config-fd, the kernel as the message's fd 0 and the serial output as
# its fd 1.
fd_config() {
	printf '{ "kernel": { "fd": 0 }, "cmdline": "%s", "cpus": %s, "guest_memory": 67108864, "serial": { "out": { "fd": 1 } }%s }\n' \
		"$2" "$3" "${4:+, $4}" > "$tmp/$1.json"
}

# daemon_run NAME [HELPER-OPTIONS...]: the vmm (with $vmm_args) on
# $tmp/NAME.json under vmm-send-config; what the helper saw in
# $tmp/NAME.events (the messages alone in $tmp/NAME.seen), the guest's
# output in $tmp/NAME.out, both processes' stderr in $tmp/NAME.err;
# returns the vmm's status.
vmm_args=
daemon_run() {
	name=$1
	shift
	# shellcheck disable=SC2086 # $vmm_args is a list of arguments
	timeout $bounded "$send_config" --events "$tmp/$name.events" "$@" \
		"$tmp/$name.json" "$testguest" '&3' -- "$vmm" $vmm_args \
		< /dev/null 3> "$tmp/$name.out" 2> "$tmp/$name.err"
	st=$?
	grep -v -e '^pid ' -e '^running-at ' "$tmp/$name.events" > "$tmp/$name.seen"
	return $st
}

# saw NAME LINE...: the helper saw exactly these messages, in this order.
saw() {
	name=$1
	shift
	printf '%s\n' "$@" | cmp -s - "$tmp/$name.seen"
}

# show_control NAME: for a reader of a failure.
show_control() {
	tap_diag "what the daemon's side saw:"
	sed 's/^/# /' "$tmp/$1.events"
	show "$1"
}

# mmio_exec NAME [VMM-ARGS...]: a KVM error. A guest that jumps into the
# unbacked PCI hole makes KVM fetch instructions from MMIO, which it
# cannot emulate (KVM_EXIT_INTERNAL_ERROR, emulation failure, on hardware
# virtualization and KVM-PVM alike): the vmm must end with status 2 and
# say where the guest was (vcpu_report.c). One TAP check. The guest is
# built here: a PVH entry note and two instructions.
mmio_exec() {
	_me=$1
	shift
	cat > "$tmp/$_me.S" <<'EOF'
	.section .note.pvh, "a"
	.balign 4
	.long 4, 4, 18		/* name size, desc size, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.long start
	.text
	.code32
	.globl start
start:
	movl $0xd0000000, %eax	/* inside the 32-bit PCI window, nothing there */
	jmp *%eax
EOF
	echo 'ENTRY(start) SECTIONS { . = 0x100000; .text : { *(.text) } .note : { *(.note.pvh) } }' \
		> "$tmp/$_me.ld"
	if ! gcc -m32 -nostdlib -static -Wl,-T,"$tmp/$_me.ld" \
		-o "$tmp/$_me.elf" "$tmp/$_me.S" 2> "$tmp/$_me.build"; then
		tap_not_ok "a KVM emulation failure: the test guest builds"
		tap_diag "$(cat "$tmp/$_me.build")"
		return
	fi
	printf '{ "kernel": "%s", "guest_memory": 16777216 }\n' "$tmp/$_me.elf" > "$tmp/$_me.json"
	run_vmm "$_me" "$@"
	_st=$?
	tap_check "a KVM emulation failure${1:+ ($*)}: status 2, the exit reason and the guest RIP named" \
		check_stop "$_me" "$_st" 2 \
		"vCPU 0: KVM_EXIT_INTERNAL_ERROR suberror 1 (emulation failure) at RIP 0xd0000000" ||
		show "$_me"
}
