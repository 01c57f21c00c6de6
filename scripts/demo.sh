#!/bin/sh
# The main job, from a fresh clone: install dependencies, build, then run
# guestmgrd and drive it with guestctl as a user would: list the guests,
# launch the default one (testguest, see README.md for why) with 4 vCPUs,
# look at it, attach to its serial port (its checks of the machine, then
# it echoes a line typed to it), stop it.
#
# Where this host has no usable /dev/kvm, the same runs inside the
# nested-KVM rig (tests/rig/README.md): Debian's kernel under QEMU with an
# emulated SVM, where KVM is real.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=$root/out/build

if [ "${1:-}" != --here ]; then
	scripts/setup.sh
	echo "demo: building into out/build"
	scripts/build.sh build
	# Where /dev/kvm is missing, the demo runs in the rig (about a minute to
	# build it the first time, then seconds to boot).
	exec env top_builddir="$build" tests/rig/rig-run --if-needed -- "$0" --here
fi

demo=$(mktemp -d)
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$demo"' EXIT
cat >"$demo/guestmgrd.json" <<JSON
{ "package_dirs": ["$build/out/packages"], "state_dir": "$demo/state", "run_dir": "$demo/run" }
JSON

# step TEXT: what comes next, for the reader.
step() {
	printf '\n\033[1m$ %s\033[0m\n' "$*"
}

gctl() {
	step "guestctl $*"
	"$build/manager/guestctl/guestctl" --socket "$demo/run/guestmgr.sock" \
		--ro-socket "$demo/run/guestmgr-ro.sock" "$@"
}

step "guestmgrd --config $demo/guestmgrd.json &"
"$build/manager/guestmgrd/guestmgrd" --config "$demo/guestmgrd.json" \
	--vmm "$build/vmm/guestmgr-vmm" --device-dir "$build/devices" 2>"$demo/guestmgrd.log" &
daemon=$!
i=0
while [ ! -S "$demo/run/guestmgr-ro.sock" ] && [ "$i" -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done

gctl list
gctl launch testguest --cpus 4
gctl list
gctl info testguest
# Type a line once the guest has done its checks and listens (its serial
# output is also kept in the state directory); the attach shows what it
# printed before, then its answer.
step "(printf 'hello, guest\\r'; sleep 1) | guestctl serial testguest"
i=0
until grep -q ECHO-READY "$demo/state/testguest/serial.log" 2>/dev/null || [ "$i" -ge 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
(printf 'hello, guest\r'; sleep 1) |
	"$build/manager/guestctl/guestctl" --socket "$demo/run/guestmgr.sock" serial testguest
gctl stop testguest
gctl info testguest
step "guestmgrd's log"
cat "$demo/guestmgrd.log"
