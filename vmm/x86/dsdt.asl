/*
 * The DSDT of the x86-64 machine: the PCI host bridge, the ECAM
 * reservation, COM1, the S5 (power-off) sleep type, and the power button
 * behind a Generic Event Device. Compiled by iasl at
 * build time into vmm/x86/dsdt.hex, which acpi.c copies into guest memory.
 *
 * Every number comes from dsdt_layout.asi, generated from layout.h and
 * acpi.h by acpi_dsdt_gen; tests/unit/check_acpi.c reads them back out of
 * the compiled table.
 */
DefinitionBlock ("", "DSDT", 2, "GSTMGR", "GUESTMGR", 1)
{
#include "dsdt_layout.asi"

    /* Hardware-reduced ACPI: the OS writes this sleep type, with SLP_EN,
     * to the FADT's sleep control register, and the vmm powers off. */
    Name (\_S5, Package () { SLEEP_TYP_S5, SLEEP_TYP_S5, Zero, Zero })

    Scope (\_SB)
    {
        /* PCI Express host bridge: segment 0, bus 0, configuration through
         * ECAM (MCFG) and through ports 0xcf8-0xcff. */
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_SEG, Zero)
            Name (_BBN, Zero)
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, PCI_BUS_MIN, PCI_BUS_MAX, 0x0000, PCI_BUS_LEN)
                IO (Decode16, PCI_CONFIG_PORT, PCI_CONFIG_PORT, 0x01, 0x08)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, PCI_IO_MIN, PCI_IO_MAX, 0x0000, PCI_IO_LEN)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
                    NonCacheable, ReadWrite,
                    0x00000000, PCI_MMIO32_MIN, PCI_MMIO32_MAX, 0x00000000, PCI_MMIO32_LEN)
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
                    Cacheable, ReadWrite,
                    0x0000000000000000, PCI_MMIO64_MIN, PCI_MMIO64_MAX,
                    0x0000000000000000, PCI_MMIO64_LEN)
            })

            /* INTA-INTD of devices 1-31 straight to IOAPIC inputs (GSIs),
             * level-triggered, active-low, shared; no link devices. */
            Name (_PRT, Package () { PCI_PRT_ENTRIES })

            /* The OS gets every PCI Express feature it asks for (native
             * hot-plug, PME, AER, capability structure): there is no
             * firmware to keep any of them. */
            Method (_OSC, 4, NotSerialized)
            {
                CreateDWordField (Arg3, Zero, CDW1)
                If (Arg0 == ToUUID ("33db4d5b-1ff7-401c-9657-7441c03dd766"))
                {
                    If (Arg1 != One)
                    {
                        CDW1 |= 0x08    /* unrecognised revision */
                    }
                }
                Else
                {
                    CDW1 |= 0x04        /* unrecognised UUID */
                }
                Return (Arg3)
            }
        }

        /* Motherboard resources: the ECAM window. Linux uses MCFG only
         * when its region is reserved here (or in the e820 map). */
        Device (MRES)
        {
            Name (_HID, EisaId ("PNP0C02"))
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, PCI_ECAM_MIN, PCI_ECAM_LEN)
            })
        }

        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, COM1_PORT, COM1_PORT, 0x01, 0x08)
                IRQNoFlags () { COM1_IRQ }
            })
        }

        /* Hardware-reduced ACPI has no fixed power button and no SCI: the
         * vmm raises this device's interrupt, and the OS runs _EVT, which
         * reads (and so clears) the pending events and lowers the line. */
        Device (GED0)
        {
            Name (_HID, "ACPI0013")
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { GED_GSI }
            })
            OperationRegion (EVTR, SystemIO, GED_PORT, One)
            Field (EVTR, ByteAcc, NoLock, Preserve)
            {
                EVTS, 8
            }
            Method (_EVT, 1, Serialized)
            {
                Local0 = EVTS
                If (Local0 & GED_POWER_BUTTON)
                {
                    Notify (PWRB, 0x80)     /* the button was pressed */
                }
            }
        }

        /* The power button, a control-method one: its presses come as
         * Notify (0x80) from GED0. */
        Device (PWRB)
        {
            Name (_HID, EisaId ("PNP0C0C"))
            Name (_UID, Zero)
        }
    }
}
