/* guestctl realm create|list|launch|instances: the older Manager/Realm
 * API (environments holding guest instances with vsock context ids). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager/guestctl/guestctl.h"

static int parse_id(struct ctl *ctl, const char *arg, long *id)
{
	char *end;

	*id = strtol(arg, &end, 10);
	if (*end || end == arg || *id < 1)
		return ctl_usage(ctl, "'%s' is not an environment id", arg);
	return EXIT_DONE;
}

static void print_instances(const json_t *list)
{
	json_t *i;
	size_t n;

	json_array_foreach(list, n, i)
		printf("  cid %-5lld %-20s %s\n", (long long)json_integer_value(json_object_get(i, "cid")),
		       json_string_value(json_object_get(i, "name")),
		       json_string_value(json_object_get(i, "label")));
}

/* Prints the result: whole with --json, else through FN. */
static int finish(struct ctl *ctl, struct reply *reply, void (*fn)(const json_t *result))
{
	if (ctl->json)
		ctl_print_json(json_incref(reply->result));
	else
		fn(reply->result);
	reply_free(reply);
	return EXIT_DONE;
}

static void print_created(const json_t *r)
{
	printf("environment %lld\n", (long long)json_integer_value(json_object_get(r, "id")));
}

static void print_environments(const json_t *r)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(r, "environments"), i, e) {
		printf("environment %lld %s\n", (long long)json_integer_value(json_object_get(e, "id")),
		       json_string_value(json_object_get(e, "label")));
		print_instances(json_object_get(e, "instances"));
	}
}

static void print_launched(const json_t *r)
{
	printf("instance cid %lld (%s) is RUNNING\n",
	       (long long)json_integer_value(json_object_get(r, "cid")),
	       json_string_value(json_object_get(r, "name")));
}

static void print_instance_list(const json_t *r)
{
	print_instances(json_object_get(r, "instances"));
}

static int launch(struct ctl *ctl, int argc, char **argv)
{
	struct launch_options lo;
	struct reply reply;
	long id;
	int first = launch_options_parse(ctl, argc, argv, &lo), status;

	if (first < 0 || first != argc - 2 || parse_id(ctl, argv[first], &id) != EXIT_DONE) {
		if (first >= 0 && first != argc - 2)
			ctl_usage(ctl, "launch takes an environment id and a package url");
		launch_options_free(&lo);
		return EXIT_USAGE;
	}
	json_t *info = json_pack("{s:s}", "url", argv[first + 1]);

	if (json_object_size(lo.overrides))
		json_object_set(info, "guest_config", lo.overrides);
	if (lo.label)
		json_object_set_new(info, "label", json_string(lo.label));
	status = ctl_call(ctl, "Realm.LaunchInstance",
			  json_pack("{s:I, s:o}", "realm", (json_int_t)id, "launch_info", info), lo.fds,
			  lo.nfds, &reply);
	launch_options_free(&lo);
	return status == EXIT_DONE ? finish(ctl, &reply, print_launched) : status;
}

int cmd_realm(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	long id;
	int status;

	if (argc < 2)
		return ctl_usage(ctl, "create, list, launch or instances?");
	if (!strcmp(argv[1], "create") && argc <= 3) {
		json_t *params = argc == 3 ? json_pack("{s:s}", "label", argv[2]) : NULL;

		status = ctl_call(ctl, "Manager.Create", params, NULL, 0, &reply);
		return status == EXIT_DONE ? finish(ctl, &reply, print_created) : status;
	}
	if (!strcmp(argv[1], "list") && argc == 2) {
		status = ctl_call(ctl, "Manager.List", NULL, NULL, 0, &reply);
		return status == EXIT_DONE ? finish(ctl, &reply, print_environments) : status;
	}
	if (!strcmp(argv[1], "launch"))
		return launch(ctl, argc - 1, argv + 1);
	if (!strcmp(argv[1], "instances") && argc == 3) {
		if (parse_id(ctl, argv[2], &id) != EXIT_DONE)
			return EXIT_USAGE;
		status = ctl_call(ctl, "Realm.ListInstances", json_pack("{s:I}", "realm", (json_int_t)id),
				  NULL, 0, &reply);
		return status == EXIT_DONE ? finish(ctl, &reply, print_instance_list) : status;
	}
	return ctl_usage(ctl, "create [LABEL], list, launch ID URL or instances ID");
}
