#!/bin/sh
# The whole test suite, from a fresh clone: install dependencies, build,
# run `make check` in a normal build and in an ASan+UBSan build, then print
# one closing line counting every test that ran: "N passed, N failed, N skipped".
#
# Builds go to out/build and out/build-sanitizers; the debian guest package
# is built (and cached) by the tests that need it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
autoreconf -fi >/dev/null

passed=0 failed=0 skipped=0

# run_suite NAME CONFIGURE-ARGS...: build in out/NAME and run make check there.
run_suite() {
	name=$1
	shift
	echo "=== $name: build $*"
	scripts/build.sh "$name" "$@" || {
		echo "=== $name: build failed"
		failed=$((failed + 1))
		return
	}
	echo "=== $name: make check"
	(cd "out/$name" && make -j"$(nproc)" check) || true
	log="out/$name/test-suite.log"
	if [ ! -f "$log" ]; then
		echo "=== $name: no test-suite.log"
		failed=$((failed + 1))
		return
	fi
	count() { sed -n "s/^# $1: *\([0-9]*\)$/\1/p" "$log" | head -n1; }
	# An expected failure (a TAP TODO: a check this host cannot pass, see
	# the test) did not pass: it counts as skipped.
	passed=$((passed + $(count PASS)))
	failed=$((failed + $(count FAIL) + $(count XPASS) + $(count ERROR)))
	skipped=$((skipped + $(count SKIP) + $(count XFAIL)))
	# Show what failed, so the cause is in the output and not only in the
	# log: the verdicts, then each failed test's failing lines and its end.
	grep -E '^(FAIL|ERROR|XPASS):' "$log" || true
	grep -E '^(FAIL|ERROR|XPASS):' "$log" | sed 's/^[A-Z]*: \([^ ]*\).*/\1/; s/\.sh$//' | sort -u |
		while read -r test; do
			[ -f "out/$name/$test.log" ] || continue
			echo "=== $name: $test failed; from out/$name/$test.log:"
			grep -E '^(not ok|Bail out!|rig-run:)' "out/$name/$test.log" | head -n 40
			tail -n 20 "out/$name/$test.log"
		done
}

run_suite build
# Where KVM tests need the nested-KVM rig (emulated, slow), they run there
# in the normal build only, to keep the whole run well within CI's hour.
export GUESTMGR_NO_RIG=1
run_suite build-sanitizers --enable-sanitizers

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
