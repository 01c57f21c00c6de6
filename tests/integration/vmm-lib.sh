# Shared by the vmm-*.sh tests (sourced): boot the test guest on
# guestmgr-vmm and judge its report.
. "$top_srcdir/tests/lib.sh"

vmm=$top_builddir/vmm/guestmgr-vmm
testguest=$top_builddir/testguest/testguest
# A stuck guest fails its test instead of hanging the suite.
vmm_timeout=${VMM_TEST_TIMEOUT:-120}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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
	timeout "$vmm_timeout" "$vmm" --config "$tmp/$name.json" "$@" \
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
