#!/bin/sh
# The main job, from a fresh clone: install dependencies, build, and boot
# the default guest (testguest, see README.md for why) on guestmgr-vmm with
# 4 vCPUs. The guest checks its machine from inside and prints one line per
# check on its serial port, which is this terminal.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
echo "demo: building into out/build"
scripts/build.sh build

build=$root/out/build
config=$build/demo-guest.json
cat >"$config" <<JSON
{
  "kernel": "$build/testguest/testguest",
  "cmdline": "test=boot,acpi,irq,smp expect_cpus=4",
  "cpus": 4,
  "guest_memory": 268435456
}
JSON

echo "demo: $build/vmm/guestmgr-vmm --config $config"
echo "----- guest serial port -----"
status=0
"$build/vmm/guestmgr-vmm" --config "$config" || status=$?
echo "----- vmm exited with status $status (0: the guest stopped itself) -----"
exit "$status"
