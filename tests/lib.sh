# TAP helpers for the shell integration tests (sourced, not run).
# Each test script prints one TAP line per check; automake's tap-driver
# counts them, so every check shows up in the suite's totals.

tap_count=0
tap_failed=0

tap_ok() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $*"
}

tap_not_ok() {
	tap_count=$((tap_count + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_count - $*"
}

# tap_check DESCRIPTION COMMAND...: one check that passes when COMMAND
# succeeds; returns COMMAND's success, so `tap_check ... || show` can add
# context to a failure.
tap_check() {
	desc=$1
	shift
	if "$@"; then tap_ok "$desc"; else tap_not_ok "$desc"; return 1; fi
}

tap_skip() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1 # SKIP $2"
}

# tap_skip_all REASON: the whole script cannot run here.
tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# tap_diag TEXT...: context for a reader of the log; ignored by the counts.
tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

tap_done() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
}

# need_kvm: returns where /dev/kvm is usable (KVM-PVM too). Elsewhere the
# whole script runs again inside the nested-KVM rig (tests/rig/README.md:
# QEMU TCG with an emulated SVM, a real KVM inside) and this one exits with
# its status; where QEMU cannot emulate SVM, it skips, saying why.
need_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] && return
	_in_rig "no usable /dev/kvm here"
}

# need_linux_kvm: as need_kvm, for scripts that boot Linux: KVM-PVM (a
# software-assisted KVM that emulates guest kernel code) cannot run it, so
# there too the script runs in the rig.
need_linux_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] && return
	_in_rig "no /dev/kvm here that runs Linux (KVM-PVM cannot)"
}

# _in_rig WHY: runs this script again in the rig and exits with its status.
_in_rig() {
	if [ -n "${GUESTMGR_RIG:-}" ]; then
		echo "Bail out! no usable /dev/kvm inside the nested-KVM rig"
		exit 1
	fi
	# The whole suite runs twice (scripts/run-tests.sh); the second, ASan
	# build can leave the rig's slow runs to the first.
	[ -z "${GUESTMGR_NO_RIG:-}" ] ||
		tap_skip_all "$1; the nested-KVM rig runs this script in the normal build only (GUESTMGR_NO_RIG)"
	_rig=$top_srcdir/tests/rig/rig-run
	_why=$("$_rig" --check) ||
		tap_skip_all "$1, and the nested-KVM rig cannot run: $_why"
	tap_diag "$1: the script runs in the nested-KVM rig (tests/rig/rig-run)"
	_out=$(mktemp "${TMPDIR:-/tmp}/rig-out.XXXXXX") && _err=$(mktemp "${TMPDIR:-/tmp}/rig-err.XXXXXX") || {
		echo "Bail out! mktemp failed"
		exit 1
	}
	# A rig whose emulated machine hung (126: it stopped running processes,
	# which no script can cause or see) runs the script once more: the
	# first run's output is dropped, rig-run's report of it kept.
	for _try in 1 2; do
		_status=0
		# Bounded: the slowest script takes about 3 minutes in the rig.
		"$_rig" --timeout 900 -- sh "$0" >"$_out" 2>"$_err" || _status=$?
		[ "$_status" -eq 126 ] && [ "$_try" -eq 1 ] || break
		sed 's/^/# the first run in the rig: /' "$_err"
		tap_diag "the nested-KVM rig stopped (status 126): running the script in a new rig"
	done
	cat "$_out"
	cat "$_err" >&2
	rm -f "$_out" "$_err"
	case $_status in
	124) echo "Bail out! the nested-KVM rig ran out of time (rig-run's message is in this log)" ;;
	125) echo "Bail out! the nested-KVM rig failed (rig-run's message is in this log)" ;;
	126) echo "Bail out! the nested-KVM rig stopped twice (rig-run's message is in this log)" ;;
	esac
	exit "$_status"
}

# wait_for_socket PATH: waits (at most 10 s) until PATH is a socket, as a
# process started in the background creates it; true once it is.
wait_for_socket() {
	_wfs_tries=0
	while [ ! -S "$1" ] && [ "$_wfs_tries" -lt 200 ]; do
		sleep 0.05
		_wfs_tries=$((_wfs_tries + 1))
	done
	[ -S "$1" ]
}
