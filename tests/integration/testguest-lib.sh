# shellcheck shell=sh disable=SC2154 # the variables are set by the sourcing script
# Helpers for the scripts that boot testguest under QEMU (sourced after
# tests/lib.sh). Sourcing skips the script without KVM or QEMU, ends it
# when testguest is not built, and sets guest (the image), mem_mib (256)
# and work (a scratch directory, removed at exit). The script sets
# timeout_s and machine (QEMU's machine arguments), and defines
# todo_reason CHECK, which prints why a check is known to fail with QEMU
# (nothing for a check expected to pass).

need_kvm
command -v qemu-system-x86_64 >/dev/null ||
	tap_skip_all "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"

guest=$top_builddir/testguest/testguest
mem_mib=256
work=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ ! -f "$guest" ]; then
	tap_not_ok "testguest is built ($guest)"
	tap_done
	exit
fi

# boot NAME CPUS APPEND [QEMU ARGS...]: one bounded QEMU run; the serial
# output goes to $work/NAME.out (and, without CRs, NAME.log), QEMU's exit
# status to $work/NAME.rc.
boot() {
	name=$1 cpus=$2 append=$3
	shift 3
	# shellcheck disable=SC2086 # $machine is a list of arguments
	timeout -k 10 "$timeout_s" qemu-system-x86_64 $machine -enable-kvm -m "$mem_mib" \
		-smp "$cpus" -nographic -no-reboot -kernel "$guest" -append "$append" "$@" \
		<"${stdin:-/dev/null}" >"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	tr -d '\r' <"$work/$name.out" >"$work/$name.log"
}

# tap_todo DESCRIPTION REASON: a check known to fail, counted as such.
tap_todo() {
	tap_count=$((tap_count + 1))
	echo "not ok $tap_count - $1 # TODO $2"
}

# stopped NAME: the run reached SUMMARY and QEMU exited by itself.
stopped() {
	tap_check "$1: the guest printed its SUMMARY" grep -q '^SUMMARY [0-9]* passed, [0-9]* failed$' "$work/$1.log"
	rc=$(cat "$work/$1.rc")
	if [ "$rc" -eq 124 ]; then
		tap_not_ok "$1: QEMU stopped by itself within ${timeout_s}s"
		tap_diag "$(tail -n 5 "$work/$1.log")" "$(tail -n 5 "$work/$1.err")"
	else
		tap_ok "$1: QEMU stopped by itself (status $rc)"
	fi
}

# results NAME: one TAP line per TEST line, then stopped NAME.
results() {
	grep '^TEST ' "$work/$1.log" | tr '#' '_' >"$work/$1.tests"
	while read -r _ check verdict detail; do
		todo=$(todo_reason "$check")
		if [ "$verdict" = PASS ]; then
			tap_ok "$1: $check $detail"
		elif [ -n "$todo" ]; then
			tap_todo "$1: $check $detail" "$todo"
		else
			tap_not_ok "$1: $check $detail"
		fi
	done <"$work/$1.tests"
	[ -s "$work/$1.tests" ] || tap_not_ok "$1: the guest printed TEST lines"
	stopped "$1"
}

# has NAME LINE: the guest printed exactly this line.
has() {
	tap_check "$1: prints '$2'" grep -qxF "$2" "$work/$1.log"
}
