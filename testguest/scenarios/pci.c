/* pci: bus 0 through configuration mechanism #1 or ECAM (pci_access=).
 * One INFO line per function; the host bridge at 00:00.0; each function's
 * capability list well-formed. */
#include "format.h"
#include "pci.h"
#include "report.h"
#include "scenario.h"

#define CLASS_HOST_BRIDGE 0x0600

void scenario_pci(void)
{
	unsigned n;
	const struct pci_func *f = pci_functions(&n);
	char caps[160];
	uint64_t ecam;
	const char *access = pci_access(&ecam);

	report_info("pci_access=%s ecam_base=%#lx", access, ecam);
	if (!report_check(n > 0, "enumerate", "%u functions on bus 0 (%s)", n, access))
		return;
	report_check(f[0].dev == 0 && f[0].fn == 0 && f[0].class >> 8 == CLASS_HOST_BRIDGE,
		     "host_bridge", "00:00.0 %04x:%04x class=%06x", f[0].vendor, f[0].device,
		     f[0].class);
	for (unsigned i = 0; i < n; i++) {
		bool ok = pci_caps_wellformed(&f[i], caps, sizeof(caps));
		char check[24];

		report_info("pci 00:%02x.%u %04x:%04x class=%06x header=%u", f[i].dev, f[i].fn,
			    f[i].vendor, f[i].device, f[i].class, f[i].header_type);
		format(check, sizeof(check), "caps_%02x_%u", f[i].dev, f[i].fn);
		report_check(ok, check, "%s", caps);
	}
}
