/* Merging a guest package's config with Launch overrides
 * (manager/guestmgrd/launch_plan.c): what replaces, what appends, what a
 * Launch may not touch, and each refusal naming its field. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manager/guestmgrd/launch_plan.h"
#include "tests/unit/check_tap.h"

static char dir[64];
static struct launch_plan plan;
static char err[1024];

static void setup(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/check_launch_plan.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (const char *const *f = (const char *const[]){ "kernel", "initrd", "disk.img", NULL }; *f;
	     f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		FILE *fp = fopen(path, "w");

		ck_assert_ptr_nonnull(fp);
		fputs("x", fp);
		fclose(fp);
	}
}

static void teardown(void)
{
	char cmd[128];

	launch_plan_free(&plan);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	ck_assert_msg(doc != NULL, "%s: %s", text, jerr.text);
	return doc;
}

/* Makes the plan of PACKAGE and OVERRIDES (JSON texts; NULL: none). */
static int make(const char *package, const char *overrides, int *fds, size_t nfds)
{
	json_t *pkg = parse(package), *over = overrides ? parse(overrides) : NULL;
	int rc = launch_plan_make(&plan, pkg, dir, over, fds, nfds, "/state/disk.raw", err,
				  sizeof(err));

	json_decref(pkg);
	json_decref(over);
	return rc;
}

static void refused(const char *package, const char *overrides, const char *want)
{
	ck_assert_int_eq(make(package, overrides, NULL, 0), -1);
	ck_assert_msg(strstr(err, want), "error '%s' does not contain '%s'", err, want);
}

#define PKG "{\"kernel\": \"kernel\", \"ramdisk\": \"initrd\", \"cmdline\": \"console=ttyS0\", " \
	    "\"cmdline_add\": [\"a=1\"], \"cpus\": 2, \"guest_memory\": 268435456"

START_TEST(the_package_alone)
{
	ck_assert_int_eq(make(PKG "}", NULL, NULL, 0), 0);
	ck_assert_uint_eq(plan.cpus, 2);
	ck_assert_uint_eq(plan.guest_memory, 268435456);
	ck_assert_str_eq(json_string_value(plan.cmdline), "console=ttyS0");
	ck_assert(strstr(plan.kernel, "/kernel") && strstr(plan.ramdisk, "/initrd"));
	ck_assert_uint_eq(plan.nblocks, 0);
}
END_TEST

START_TEST(scalars_replace_lists_append)
{
	ck_assert_int_eq(make(PKG "}",
			      "{\"cpus\": 4, \"cmdline\": \"quiet\", \"cmdline_add\": [\"b=2\", \"c=3\"], "
			      "\"virtio_rng\": true}",
			      NULL, 0),
			 0);
	ck_assert_uint_eq(plan.cpus, 4);
	ck_assert_uint_eq(plan.guest_memory, 268435456);
	ck_assert_str_eq(json_string_value(plan.cmdline), "quiet");
	ck_assert_uint_eq(json_array_size(plan.cmdline_add), 3);
	ck_assert_str_eq(json_string_value(json_array_get(plan.cmdline_add, 0)), "a=1");
	ck_assert_str_eq(json_string_value(json_array_get(plan.cmdline_add, 2)), "c=3");
	ck_assert(plan.rng && !plan.console);
}
END_TEST

START_TEST(disks_storage_first_then_package_then_client)
{
	int fd = open("/dev/zero", O_RDONLY), image;
	char path[128];

	snprintf(path, sizeof(path), "%s/disk.img", dir);
	image = open(path, O_RDWR);
	int fds[] = { image };

	ck_assert_int_eq(make(PKG ", \"storage\": {\"id\": \"data\", \"size\": 65536}, "
				  "\"block_devices\": [{\"id\": \"root\", \"file\": \"disk.img\", \"mode\": \"read_only\"}]}",
			      "{\"block_devices\": [{\"id\": \"mine\", \"file\": {\"fd\": 0}}]}", fds, 1),
			 0);
	ck_assert_uint_eq(plan.nblocks, 3);
	ck_assert_str_eq(plan.blocks[0].id, "data");
	ck_assert_int_eq(plan.blocks[0].source, BLOCK_FROM_STORAGE);
	ck_assert_str_eq(plan.blocks[0].path, "/state/disk.raw");
	ck_assert_str_eq(plan.blocks[1].id, "root");
	ck_assert_int_eq(plan.blocks[1].source, BLOCK_FROM_PACKAGE);
	ck_assert_str_eq(plan.blocks[2].id, "mine");
	ck_assert_int_eq(plan.blocks[2].fd, image);
	ck_assert_int_eq(fds[0], -1);	/* the plan took it */
	json_t *d = launch_plan_descriptor(&plan);

	ck_assert_uint_eq(json_array_size(json_object_get(d, "block_devices")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(d, "block_devices"), 2), "source")),
			 "client");
	json_decref(d);
	close(fd);
}
END_TEST

START_TEST(a_launch_cannot_set_package_fields)
{
	refused(PKG "}", "{\"kernel\": \"kernel\"}", "field 'kernel': comes from the package");
	refused(PKG "}", "{\"ramdisk\": \"initrd\"}", "field 'ramdisk'");
	refused(PKG "}", "{\"dtb_overlay\": \"x\"}", "field 'dtb_overlay'");
	refused(PKG "}", "{\"autostart\": true}", "field 'autostart'");
	refused(PKG "}", "{\"storage\": {\"id\": \"x\", \"size\": 4096}}", "field 'storage'");
}
END_TEST

START_TEST(devices_this_version_lacks_are_refused_by_name)
{
	refused(PKG "}", "{\"virtio_balloon\": true}", "field 'virtio_balloon': no virtio-balloon device");
	refused(PKG "}", "{\"virtio_vsock\": true}", "field 'virtio_vsock'");
	refused(PKG ", \"virtio_gpu\": true}", NULL, "field 'virtio_gpu'");
	refused(PKG "}", "{\"default_net\": true}", "field 'default_net': no virtio-net device");
	refused(PKG "}", "{\"net_devices\": [{}]}", "field 'net_devices'");
	refused(PKG ", \"kernel_type\": \"zircon\"}", NULL, "field 'kernel_type'");
	/* false is fine: it asks for nothing. */
	ck_assert_int_eq(make(PKG ", \"virtio_gpu\": false}", "{\"virtio_vsock\": false}", NULL, 0), 0);
}
END_TEST

START_TEST(package_files_stay_in_the_package)
{
	refused("{\"kernel\": \"../../etc/passwd\"}", NULL, "is not inside the package");
	refused("{\"kernel\": \"/etc/passwd\"}", NULL, "is not inside the package");
	refused("{\"kernel\": \"nothere\"}", NULL, "field 'kernel': 'nothere' is not a file of the package");
	refused("{\"cmdline\": \"x\"}", NULL, "field 'kernel': the package names no kernel");
	refused(PKG ", \"block_devices\": [{\"id\": \"r\", \"file\": \"disk.img\"}]}", NULL,
		"a package's own disk is read_only or volatile_write");
}
END_TEST

START_TEST(client_disks_come_as_fds_of_the_right_kind)
{
	int null = open("/dev/null", O_RDONLY), fds[] = { null };
	char path[128];

	refused(PKG "}", "{\"block_devices\": [{\"id\": \"a\", \"file\": \"/etc/shadow\"}]}",
		"the daemon opens no path a client names");
	ck_assert_int_eq(make(PKG "}", "{\"block_devices\": [{\"id\": \"a\", \"file\": {\"fd\": 0}, "
				       "\"mode\": \"read_only\"}]}", fds, 1), -1);
	ck_assert_msg(strstr(err, "not a regular file or block device"), "%s", err);
	ck_assert_int_eq(fds[0], null);	/* still the caller's */
	close(null);
	snprintf(path, sizeof(path), "%s/disk.img", dir);
	fds[0] = open(path, O_RDONLY);
	ck_assert_int_eq(make(PKG "}", "{\"block_devices\": [{\"id\": \"a\", \"file\": {\"fd\": 0}}]}",
			      fds, 1), -1);
	ck_assert_msg(strstr(err, "read_write needs an fd opened read-write"), "%s", err);
	ck_assert_int_eq(make(PKG "}", "{\"block_devices\": [{\"id\": \"a\", \"file\": {\"fd\": 0}, "
				       "\"backing\": [{\"fd\": 0}], \"mode\": \"read_only\"}]}", fds, 1), -1);
	ck_assert_msg(strstr(err, "only a qcow2 image has one"), "%s", err);
	close(fds[0]);
}
END_TEST

START_TEST(other_checks)
{
	char big[2100];

	refused(PKG ", \"storage\": {\"id\": \"root\", \"size\": 4096}, "
		    "\"block_devices\": [{\"id\": \"root\", \"file\": \"disk.img\", \"mode\": \"read_only\"}]}",
		NULL, "two disks with id 'root'");
	refused(PKG "}", "{\"guest_memory\": 268435457}", "is not a multiple of 4096");
	memset(big, 'x', 2040);	/* with the package's 17 bytes: past 2047 */
	big[2040] = 0;
	char over[2200];

	snprintf(over, sizeof(over), "{\"cmdline_add\": [\"%s\"]}", big);
	refused(PKG "}", over, "field 'cmdline_add': the command line joined is");
	refused(PKG "}", "{\"cpus\": 0}", "config: field 'cpus': 0 is below the minimum 1");
	refused(PKG "}", "{\"cpu\": 2}", "config: field 'cpu': unknown field");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("launch plan");
	TCase *tc = tcase_create("merge");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_package_alone);
	tcase_add_test(tc, scalars_replace_lists_append);
	tcase_add_test(tc, disks_storage_first_then_package_then_client);
	tcase_add_test(tc, a_launch_cannot_set_package_fields);
	tcase_add_test(tc, devices_this_version_lacks_are_refused_by_name);
	tcase_add_test(tc, package_files_stay_in_the_package);
	tcase_add_test(tc, client_disks_come_as_fds_of_the_right_kind);
	tcase_add_test(tc, other_checks);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
