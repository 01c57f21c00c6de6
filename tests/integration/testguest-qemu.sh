#!/bin/sh
# Boots testguest (testguest/README.md) under QEMU microvm with KVM, the
# peer our vmm is compared with. Every TEST line the guest prints becomes a
# TAP line (PASS -> ok, FAIL -> not ok); each boot must also reach SUMMARY
# and stop the machine by itself before the timeout. The dtb scenario gets
# its device tree as the PVH module QEMU makes of -initrd.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/testguest-lib.sh"

timeout_s=20
machine="-M microvm"

# Checks QEMU itself gets wrong: its PVH memory map ends with an empty
# entry and, with KVM, lists a reserved area (0xfeffc000) before the RAM
# above 1 MiB.
todo_reason() {
	case $1 in
	boot.memmap_sorted) echo "QEMU's PVH memory map is unsorted, with an empty entry" ;;
	esac
}

# One CPU: the machine description and interrupts. -m 256 is 256 MiB, of
# which the map reserves the legacy hole below 1 MiB.
boot up 1 "test=boot,acpi,irq expect_mem=$((mem_mib * 1024 * 1024))"
results up
has up "INFO cpus=1"

# The RSDP found by scanning the BIOS area, as where rsdp_paddr is 0.
boot scan 1 "test=acpi rsdp=scan"
results scan

# Four CPUs: every AP started through the real-mode trampoline.
boot smp 4 "test=smp,acpi expect_cpus=4"
results smp
tap_check "smp: both the MADT and the started CPUs say cpus=4" \
	test "$(grep -c '^INFO cpus=4$' "$work/smp.log")" -eq 2

# echo: lines typed on the serial port come back, input by interrupt.
# QEMU reads its stdin from a fifo we write only once the guest is ready.
mkfifo "$work/in"
stdin=$work/in boot echo 1 "test=echo echo_timeout_ms=10000" &
qemu_job=$!
exec 3>"$work/in"
tries=0
until grep -q '^ECHO-READY' "$work/echo.out" 2>/dev/null || [ $tries -ge 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
printf 'hello testguest\r\nsecond line\nquit\n' >&3
exec 3>&-
wait $qemu_job
results echo
has echo "ECHO hello testguest"
has echo "ECHO second line"

# dtb: a device tree describing this QEMU machine, handed over as the PVH
# module; then one that disagrees with it, which the guest must notice.
if command -v dtc >/dev/null; then
	dts() {
		cat <<EOF
/dts-v1/;
/ {
	model = "testguest,qemu";
	#address-cells = <2>;
	#size-cells = <2>;
	memory@0 {
		device_type = "memory";
		reg = <0 0 0 0x9fc00>, <0 0x100000 0 $1>;
	};
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		cpu@0 { device_type = "cpu"; reg = <0>; };
		cpu@1 { device_type = "cpu"; reg = <1>; };
	};
	isa {
		#address-cells = <2>;
		#size-cells = <1>;
		serial@i3f8 { compatible = "ns16550a"; reg = <1 0x3f8 8>; };
	};
	chosen { testguest = "overlay-applied"; };
};
EOF
	}
	dts $(((mem_mib - 1) * 1024 * 1024)) | dtc -q -I dts -O dtb -o "$work/good.dtb" -
	boot dtb 2 "test=dtb dtb_expect=/chosen:testguest=overlay-applied" -initrd "$work/good.dtb"
	results dtb
	has dtb "INFO dtb_model=testguest,qemu"

	dts $(((mem_mib - 2) * 1024 * 1024)) | dtc -q -I dts -O dtb -o "$work/wrong.dtb" -
	boot dtb-wrong 1 "test=dtb dtb_expect=/chosen:testguest=other" -initrd "$work/wrong.dtb"
	stopped dtb-wrong
	for check in memory cpus expect; do
		tap_check "dtb-wrong: the guest reports dtb.$check FAIL" \
			grep -q "^TEST dtb.$check FAIL " "$work/dtb-wrong.log"
	done

	# The first property's length (after the root's BEGIN_NODE and empty
	# name) made huge: the reader must refuse it, not fault.
	cp "$work/good.dtb" "$work/bad.dtb"
	struct_off=$(od -An -t u1 -j 8 -N 4 "$work/good.dtb" |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	printf '\377\377\377\000' |
		dd of="$work/bad.dtb" bs=1 seek=$((struct_off + 12)) conv=notrunc 2>/dev/null
	boot dtb-bad 1 "test=dtb" -initrd "$work/bad.dtb"
	stopped dtb-bad
	tap_check "dtb-bad: the guest reports dtb.structure FAIL" \
		grep -q '^TEST dtb.structure FAIL property at .* overruns its block' "$work/dtb-bad.log"
	tap_check "dtb-bad: no exception" test -z "$(grep '\.exception ' "$work/dtb-bad.log")"
else
	tap_skip "dtb: device tree checks" "dtc is not installed (apt-get install device-tree-compiler)"
fi

# Failures the guest must report rather than hang on: an unknown scenario,
# and a page fault, which ends the run at once.
boot errors 1 "test=nosuch,fault,boot"
stopped errors
tap_check "errors: an unknown scenario is a FAIL line" \
	grep -q "^TEST nosuch.scenario FAIL unknown scenario 'nosuch'" "$work/errors.log"
tap_check "errors: a page fault is reported with vector, error code, RIP and CR2" \
	grep -q '^TEST fault.exception FAIL vector=14 (#PF) error=0x0 rip=0x[0-9a-f]* cr2=0x100000000 ' "$work/errors.log"
tap_check "errors: nothing runs after the fault" test -z "$(grep '^TEST boot\.' "$work/errors.log")"
has errors "SUMMARY 1 passed, 2 failed"

# exit=triple skips the i8042 (QEMU microvm has none anyway); exit=halt
# keeps the machine running after SUMMARY until the host stops it.
boot triple 1 "test=boot exit=triple"
stopped triple
# Long enough for SUMMARY on a loaded machine (5 s was not, under TCG).
timeout_s=15
boot halt 1 "test=boot exit=halt"
tap_check "halt: the guest printed its SUMMARY" grep -q '^SUMMARY ' "$work/halt.log"
tap_check "halt: QEMU was still running when the timeout stopped it" test "$(cat "$work/halt.rc")" -eq 124

tap_done
