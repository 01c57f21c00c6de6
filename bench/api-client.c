/* api-client: guestmgrd requests at the socket, timed one by one, through
 * guestctl's own client code (manager/guestctl/client.c): one connection,
 * each request sent and its reply read before the next. bench/api.sh runs
 * bench/api-virt.c the same way against libvirt.
 *
 *   api-client SOCKET getinfo GUEST COUNT   GuestManager.GetInfo COUNT times
 *   api-client SOCKET launch GUEST...       GuestManager.Launch of each in
 *                                           turn (replied once RUNNING)
 *   api-client SOCKET stop GUEST...         GuestManager.ForceShutdown of each
 *
 * Prints one line per request, its round trip in microseconds; an error
 * reply is printed on stderr and ends the run with status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manager/guestctl/client.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* METHOD on GUEST, timed; -1 (printed) on an error reply. */
static int timed_call(struct client *c, const char *method, const char *guest)
{
	struct reply reply;
	double t0 = now_us();

	if (client_call(c, method, json_pack("{s:s}", "guest", guest), NULL, 0, &reply) < 0)
		return -1;
	double t1 = now_us();

	if (reply.error) {
		fprintf(stderr, "api-client: %s '%s': %s: %s\n", method, guest,
			json_string_value(json_object_get(reply.error, "code")),
			json_string_value(json_object_get(reply.error, "message")));
		reply_free(&reply);
		return -1;
	}
	reply_free(&reply);
	printf("%.1f\n", t1 - t0);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: api-client SOCKET getinfo GUEST COUNT | launch GUEST... | stop GUEST...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct client c;
	const char *method;
	int status = 0;

	if (argc < 4)
		return usage();
	if (!strcmp(argv[2], "getinfo") && argc == 5)
		method = "GuestManager.GetInfo";
	else if (!strcmp(argv[2], "launch"))
		method = "GuestManager.Launch";
	else if (!strcmp(argv[2], "stop"))
		method = "GuestManager.ForceShutdown";
	else
		return usage();
	if (client_connect(&c, argv[1]) < 0)
		return 1;
	if (!strcmp(argv[2], "getinfo")) {
		long count = strtol(argv[4], NULL, 10);

		for (long i = 0; i < count && status == 0; i++)
			status = timed_call(&c, method, argv[3]) < 0;
	} else {
		for (int i = 3; i < argc && status == 0; i++)
			status = timed_call(&c, method, argv[i]) < 0;
	}
	client_close(&c);
	return status;
}
