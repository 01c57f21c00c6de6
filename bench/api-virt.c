/* api-virt: libvirt's side of bench/api-client.c, the same requests timed
 * the same way through libvirt's own client library: one connection, each
 * call returning before the next. bench/api.sh builds it against
 * libvirt-dev when it runs (libvirt is no build dependency of guestmgr).
 *
 *   api-virt URI getinfo DOMAIN COUNT   virDomainGetInfo COUNT times (on a
 *                                       read-only connection, as guestctl
 *                                       info uses the read-only socket)
 *   api-virt URI launch DOMAIN...       virDomainCreate of each in turn
 *                                       (returns once it is running)
 *   api-virt URI stop DOMAIN...         virDomainDestroy of each
 *
 * Prints one line per call, its round trip in microseconds; a failed call
 * is printed on stderr and ends the run with status 1.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One call on DOMAIN, timed; -1 (printed) when it fails. */
static int timed_call(virConnectPtr conn, const char *what, const char *name)
{
	virDomainPtr dom = virDomainLookupByName(conn, name);
	virDomainInfo info;
	int rc;

	if (!dom) {
		fprintf(stderr, "api-virt: domain '%s': %s\n", name, virGetLastErrorMessage());
		return -1;
	}
	double t0 = now_us();

	if (!strcmp(what, "getinfo"))
		rc = virDomainGetInfo(dom, &info);
	else if (!strcmp(what, "launch"))
		rc = virDomainCreate(dom);
	else
		rc = virDomainDestroy(dom);
	double t1 = now_us();

	if (rc < 0)
		fprintf(stderr, "api-virt: %s '%s': %s\n", what, name, virGetLastErrorMessage());
	else
		printf("%.1f\n", t1 - t0);
	virDomainFree(dom);
	return rc < 0 ? -1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: api-virt URI getinfo DOMAIN COUNT | launch DOMAIN... | stop DOMAIN...\n");
	return 2;
}

int main(int argc, char **argv)
{
	virConnectPtr conn;
	int status = 0;

	if (argc < 4)
		return usage();
	bool getinfo = !strcmp(argv[2], "getinfo");

	if (getinfo ? argc != 5 : strcmp(argv[2], "launch") && strcmp(argv[2], "stop"))
		return usage();
	conn = getinfo ? virConnectOpenReadOnly(argv[1]) : virConnectOpen(argv[1]);
	if (!conn) {
		fprintf(stderr, "api-virt: %s: %s\n", argv[1], virGetLastErrorMessage());
		return 1;
	}
	if (getinfo) {
		long count = strtol(argv[4], NULL, 10);

		for (long i = 0; i < count && status == 0; i++)
			status = timed_call(conn, "getinfo", argv[3]) < 0;
	} else {
		for (int i = 3; i < argc && status == 0; i++)
			status = timed_call(conn, argv[2], argv[i]) < 0;
	}
	virConnectClose(conn);
	return status;
}
