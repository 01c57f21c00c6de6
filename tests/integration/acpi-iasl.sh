#!/bin/sh
# The ACPI tables guestmgr-vmm gives its guest (written out with
# --dump-acpi), for 1 and 4 CPUs, checked by ACPICA's own tools: iasl
# disassembles each table without a warning, compiles the disassembly back
# to the very same bytes, and the disassembly states the machine that
# vmm/x86/layout.h describes; acpiexec (ACPICA's AML interpreter, the one
# Linux carries) loads them and runs the DSDT methods an OS evaluates.
. "$top_srcdir/tests/lib.sh"

vmm=$top_builddir/vmm/guestmgr-vmm
kernel=$top_builddir/testguest/testguest
layout=$top_srcdir/vmm/x86/layout.h
IASL=${IASL:-iasl}
ACPIEXEC=${ACPIEXEC:-acpiexec}

[ -x "$vmm" ] || tap_skip_all "vmm/guestmgr-vmm is not built"
grep -q dump-acpi "$vmm" || tap_skip_all "guestmgr-vmm has no --dump-acpi option yet"
[ -f "$kernel" ] || tap_skip_all "testguest/testguest is not built"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# layout_hex NAME: the value of LAYOUT_NAME in layout.h, in hex without 0x.
layout_hex() {
	sed -n "s/^#define LAYOUT_$1[[:space:]]*0x\([0-9a-fA-F]*\).*/\1/p" "$layout"
}

# field FILE NAME [AFTER]: the value iasl prints for the data-table field
# "NAME : value" (the first one after a line matching AFTER, if given).
field() {
	sed -n "${3:+/$3/,\$}p" "$1" |
		sed -n "s/^\[[^]]*\][[:space:]]*$2 : \([^ ]*\).*/\1/p" | head -n 1
}

# The GED's interrupt, a decimal in layout.h.
ged_gsi=$(sed -n 's/^#define LAYOUT_GED_GSI[[:space:]]*\([0-9]*\).*/\1/p' "$layout")

# field_is FILE NAME AFTER LAYOUT_NAME: that field holds the layout.h value.
field_is() {
	v=$(field "$1" "$2" "$3")
	[ -n "$v" ] && [ $((0x$v)) -eq $((0x$(layout_hex "$4"))) ]
}

# count_is N FILE PATTERN: PATTERN matches N lines of FILE.
count_is() {
	[ "$(grep -c "$3" "$2")" -eq "$1" ]
}

# The RSDP has no standard table header, so iasl will not read it: check
# its signature and both checksums (first 20 bytes, all 36) here.
rsdp_ok() {
	[ "$(head -c 8 "$1")" = "RSD PTR " ] || return 1
	for n in 20 36; do
		sum=$(head -c "$n" "$1" | od -An -tu1 -v | tr -s ' ' '\n' | awk '{ s += $1 } END { print s % 256 }')
		[ "$sum" -eq 0 ] || return 1
	done
}

# iasl_round_trip DIR SIG: disassemble DIR/SIG.dat, with nothing to warn
# about, and compile it back (-z: keep the original creator id) to the
# same bytes.
iasl_round_trip() {
	(
		cd "$1" || exit 1
		"$IASL" -d "$2.dat" > "$2.d.log" 2>&1 || exit 1
		! grep -Eiq 'warning|error|incorrect' "$2.d.log" "$2.dsl" || exit 1
		mkdir -p rebuilt && "$IASL" -we -z -p "rebuilt/$2" "$2.dsl" > "$2.c.log" 2>&1 || exit 1
		cmp -s "$2.dat" "rebuilt/$2.aml"
	) || { tap_diag "iasl on $2:"; cat "$1/$2".*.log 2>/dev/null | sed 's/^/# /'; return 1; }
}

# The _OSC query Linux makes for a PCI Express host bridge: the host bridge
# UUID, revision 1, three dwords (no errors; support: all; control asked:
# hot-plug, SHPC, PME, AER, capability structure).
PCI_HOST_UUID='(5b 4d db 33 f7 1f 1c 40 96 57 74 41 c0 3d d7 66)'
OSC_DWORDS='00 00 00 00 1f 00 00 00 1f 00 00 00'

# run_acpiexec DIR: evaluates the methods into DIR/acpiexec.log; fails when
# ACPICA reports an error or a warning on the way.
run_acpiexec() {
	(
		cd "$1" || exit 1
		"$ACPIEXEC" -b "evaluate \\_SB.PCI0._CRS; evaluate \\_SB.PCI0._PRT; \
evaluate \\_SB.PCI0._OSC $PCI_HOST_UUID 1 3 ($OSC_DWORDS); evaluate \\_SB.COM1._CRS; \
evaluate \\_SB.MRES._CRS; evaluate \\_S5; evaluate \\_SB.GED0._CRS; \
evaluate \\_SB.GED0._EVT $ged_gsi" FACP.dat DSDT.dat APIC.dat MCFG.dat
	) > "$1/acpiexec.log" 2>&1 || { tap_diag "$(cat "$1/acpiexec.log")"; return 1; }
	problems=$(grep -Ei 'ACPI (error|warning|exception)|failed' "$1/acpiexec.log")
	[ -z "$problems" ] || { tap_diag "$problems"; return 1; }
}

# evaluated DIR NAME: what acpiexec printed for the evaluation of \NAME.
evaluated() {
	want="Evaluating \\$2" awk '$0 == ENVIRON["want"] { on = 1; next }
		on && /^Evaluating / { exit } on' "$1/acpiexec.log"
}

# evaluated_has DIR NAME TEXT: that evaluation printed TEXT.
evaluated_has() {
	evaluated "$1" "$2" | grep -qF "$3"
}

for ncpus in 1 4; do
	dir=$tmp/acpi-$ncpus
	cat > "$tmp/guest-$ncpus.json" <<EOF
{ "kernel": "$kernel", "cpus": $ncpus, "guest_memory": 268435456 }
EOF
	if ! "$vmm" --config "$tmp/guest-$ncpus.json" --dump-acpi "$dir" > "$tmp/vmm.log" 2>&1; then
		tap_not_ok "$ncpus CPUs: guestmgr-vmm --dump-acpi"
		sed 's/^/# /' "$tmp/vmm.log"
		continue
	fi
	tap_ok "$ncpus CPUs: guestmgr-vmm --dump-acpi"
	tap_check "$ncpus CPUs: RSDP signature and both checksums" rsdp_ok "$dir/RSDP.dat"
	for sig in XSDT FACP APIC MCFG DSDT; do
		tap_check "$ncpus CPUs: $sig: iasl disassembles it cleanly and rebuilds the same bytes" \
			iasl_round_trip "$dir" "$sig"
	done

	tap_check "$ncpus CPUs: MADT: $ncpus Processor Local APIC entries" \
		count_is "$ncpus" "$dir/APIC.dsl" 'Subtable Type : 00 \[Processor Local APIC\]'
	tap_check "$ncpus CPUs: MADT: local APIC at LAYOUT_LAPIC" \
		field_is "$dir/APIC.dsl" 'Local Apic Address' '' LAPIC
	tap_check "$ncpus CPUs: MADT: one I/O APIC" \
		count_is 1 "$dir/APIC.dsl" 'Subtable Type : 01 \[I/O APIC\]'
	tap_check "$ncpus CPUs: MADT: the I/O APIC at LAYOUT_IOAPIC" \
		field_is "$dir/APIC.dsl" Address 'I.O APIC' IOAPIC
	tap_check "$ncpus CPUs: MADT: two interrupt source overrides" \
		count_is 2 "$dir/APIC.dsl" 'Subtable Type : 02 \[Interrupt Source Override\]'
	tap_check "$ncpus CPUs: FADT: hardware-reduced ACPI" \
		grep -q 'Hardware Reduced (V5) : 1' "$dir/FACP.dsl"
	tap_check "$ncpus CPUs: FADT: sleep control register at LAYOUT_ACPI_SLEEP_PORT" \
		field_is "$dir/FACP.dsl" Address 'Sleep Control Register' ACPI_SLEEP_PORT
	tap_check "$ncpus CPUs: MCFG: ECAM at LAYOUT_PCI_ECAM_BASE" \
		field_is "$dir/MCFG.dsl" 'Base Address' '' PCI_ECAM_BASE
	tap_check "$ncpus CPUs: acpiexec loads the tables and runs the DSDT's methods cleanly" \
		run_acpiexec "$dir"
	tap_check "$ncpus CPUs: acpiexec: _PRT has 31 devices x 4 pins" \
		evaluated_has "$dir" _SB.PCI0._PRT '[Package] Contains 124 Elements'
	tap_check "$ncpus CPUs: acpiexec: _OSC grants every control asked for" \
		evaluated_has "$dir" _SB.PCI0._OSC "0000: $(echo "$OSC_DWORDS" | tr a-f A-F)"
	tap_check "$ncpus CPUs: acpiexec: _S5 gives sleep type 5" \
		evaluated_has "$dir" _S5 '[Integer] = 0000000000000005'
	tap_check "$ncpus CPUs: acpiexec: GED0's interrupt is GSI $ged_gsi" \
		evaluated_has "$dir" _SB.GED0._CRS "$(printf '%02X 00 00 00' "$ged_gsi")"
	for want in 'Device (PCI0)' 'EisaId ("PNP0A08")' 'Name (_PRT' 'Device (COM1)' \
		'EisaId ("PNP0C02")' 'Name (_S5' 'Device (GED0)' '"ACPI0013"' \
		'Method (_EVT, 1' 'Notify (PWRB, 0x80)' 'EisaId ("PNP0C0C")'; do
		tap_check "$ncpus CPUs: DSDT: $want" grep -qF "$want" "$dir/DSDT.dsl"
	done
done
tap_done
