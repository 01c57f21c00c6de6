/* guestctl info NAME: GuestManager.GetInfo. */
#include <stdio.h>

#include "manager/guestctl/guestctl.h"

static void print_descriptor(const json_t *d)
{
	static const char *const devices[] = { "console", "rng", "balloon", "vsock", "gpu", "sound",
					       "wayland", "magma", "mem" };
	json_t *b;
	size_t i;

	printf("cpus:      %lld\nmemory:    %lld MiB\ndevices:  ",
	       (long long)json_integer_value(json_object_get(d, "num_cpus")),
	       (long long)json_integer_value(json_object_get(d, "guest_memory")) >> 20);
	for (i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (json_is_true(json_object_get(d, devices[i])))
			printf(" %s", devices[i]);
	json_array_foreach(json_object_get(d, "block_devices"), i, b)
		printf(" blk:%s(%s,%s,%s)", json_string_value(json_object_get(b, "id")),
		       json_string_value(json_object_get(b, "format")),
		       json_string_value(json_object_get(b, "mode")),
		       json_string_value(json_object_get(b, "source")));
	printf("\nnetworks:  %zu\n", json_array_size(json_object_get(d, "networks")));
}

int cmd_info(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	json_t *info, *v;
	size_t i;
	char uptime[32];
	int status;

	if (argc != 2)
		return ctl_usage(ctl, "give one guest name");
	status = ctl_call(ctl, "GuestManager.GetInfo", json_pack("{s:s}", "guest", argv[1]), NULL, 0,
			  &reply);
	if (status != EXIT_DONE)
		return status;
	info = json_object_get(reply.result, "guest_info");
	if (ctl->json) {
		ctl_print_json(json_incref(info));
		reply_free(&reply);
		return EXIT_DONE;
	}
	ctl_format_uptime(json_integer_value(json_object_get(info, "uptime")), uptime, sizeof(uptime));
	printf("guest:     %s\nstatus:    %s\nuptime:    %s\n", argv[1],
	       json_string_value(json_object_get(info, "guest_status")), uptime);
	if ((v = json_object_get(info, "guest_descriptor")))
		print_descriptor(v);
	if ((v = json_object_get(info, "stop_reason")))
		printf("stopped:   %s: %s\n", json_string_value(json_object_get(v, "cause")),
		       json_string_value(json_object_get(v, "message")));
	if ((v = json_object_get(info, "stop_error")))
		printf("error:     %s\n", json_string_value(json_object_get(v, "code")));
	json_array_foreach(json_object_get(info, "detected_problems"), i, v)
		printf("problem:   %s\n", json_string_value(v));
	reply_free(&reply);
	return EXIT_DONE;
}
