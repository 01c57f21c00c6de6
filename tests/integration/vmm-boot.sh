#!/bin/sh
# The test guest boots on guestmgr-vmm through PVH and checks the machine
# from inside: boot information (start info, memory map, memory size),
# ACPI tables, interrupts (LAPIC timer, COM1 through the IOAPIC), SMP
# start-up of 1, 4 and 8 vCPUs, and the device tree built from an overlay.
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm

scenario "boot" boot "test=boot expect_mem=268435456"
scenario "boot, cmdline_add" boot-add "test=boot" '"cmdline_add": ["expect_mem=268435456"]'
scenario "acpi, 1 vCPU" acpi1 "test=acpi"
scenario "acpi, 4 vCPUs" acpi4 "test=acpi" '"cpus": 4'
scenario "irq" irq "test=irq"
for n in 1 4 8; do
	scenario "smp, $n vCPUs" "smp$n" "test=smp expect_cpus=$n" "\"cpus\": $n"
done
scenario "several scenarios, 2 vCPUs, RAM above 4 GiB" multi \
	"test=boot,acpi,irq,smp expect_cpus=2 expect_mem=5368709120" \
	'"cpus": 2, "guest_memory": 5368709120'

# The device tree: an overlay adds a node the guest looks for.
cat > "$tmp/overlay.dts" <<'EOF'
/dts-v1/;
/plugin/;
/ {
	fragment@0 {
		target-path = "/";
		__overlay__ {
			guestmgr-test {
				compatible = "guestmgr,test";
				label = "from-the-overlay";
			};
		};
	};
};
EOF
if command -v dtc > /dev/null; then
	dtc -q -I dts -O dtb -o "$tmp/overlay.dtbo" "$tmp/overlay.dts"
	scenario "dtb with an overlay" dtb \
		"test=dtb dtb_expect=/guestmgr-test:label=from-the-overlay" \
		'"cpus": 2, "dtb_overlay": "overlay.dtbo"'
else
	tap_skip "dtb with an overlay" "dtc is missing (scripts/setup.sh installs device-tree-compiler)"
fi

tap_done
