/* The vmm's config reader: paths relative to the config file, fds by
 * number (inherited) or by index (attached to the --config-fd message),
 * defaults, and the checks a schema cannot make, each naming its field. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/frame.h"
#include "tests/unit/check_tap.h"
#include "vmm/config.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_vmm_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Loads dir/guest.json with text; returns config_load_file's result. */
static int load(struct vmm_config *cfg, const char *text, char *err, size_t errlen)
{
	char path[128];

	write_file("guest.json", text);
	snprintf(path, sizeof(path), "%s/guest.json", dir);
	return config_load_file(cfg, path, err, errlen);
}

static bool same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

START_TEST(relative_paths_and_defaults)
{
	struct vmm_config cfg;
	char err[512], path[128];

	write_file("kernel.bin", "k");
	ck_assert_int_eq(load(&cfg, "{\"kernel\": \"kernel.bin\", \"cmdline\": \"a\","
			      " \"cmdline_add\": [\"b\", \"c=d\"]}", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/kernel.bin", dir);
	ck_assert(same_file(cfg.kernel.fd, path));
	ck_assert_ptr_nonnull(strstr(cfg.kernel.name, "kernel '"));
	ck_assert_int_eq(cfg.ramdisk.fd, -1);
	ck_assert_int_eq(cfg.kvm.fd, -1);
	ck_assert_int_ge(cfg.serial_in.fd, 3);		/* copies of stdin/stdout */
	ck_assert_int_ge(cfg.serial_out.fd, 3);
	ck_assert_uint_eq(cfg.cpus, 1);
	ck_assert_uint_eq(cfg.guest_memory, 1ULL << 30);
	ck_assert_str_eq(cfg.cmdline, "a b c=d");
	config_free(&cfg);
}
END_TEST

START_TEST(inherited_fd_is_copied)
{
	struct vmm_config cfg;
	char err[512], text[128], path[128];
	int fd;

	write_file("kernel.bin", "k");
	snprintf(path, sizeof(path), "%s/kernel.bin", dir);
	fd = open(path, O_RDONLY);
	snprintf(text, sizeof(text), "{\"kernel\": {\"fd\": %d}, \"cpus\": 4}", fd);
	ck_assert_int_eq(load(&cfg, text, err, sizeof(err)), 0);
	ck_assert_int_ne(cfg.kernel.fd, fd);
	ck_assert(same_file(cfg.kernel.fd, path));
	ck_assert_uint_eq(cfg.cpus, 4);
	config_free(&cfg);
	ck_assert_int_eq(fcntl(fd, F_GETFD), 0);	/* the original stays open */
	close(fd);
}
END_TEST

static void expect_error(const char *text, const char *message)
{
	struct vmm_config cfg;
	char err[512];

	write_file("kernel.bin", "k");
	ck_assert_int_eq(load(&cfg, text, err, sizeof(err)), -1);
	if (!strstr(err, message))
		ck_abort_msg("error '%s' does not contain '%s'", err, message);
}

START_TEST(errors_name_the_field)
{
	expect_error("{\"cpus\": 1}", "field 'kernel': required");
	expect_error("{\"kernel\": \"kernel.bin\", \"cpus\": 0}", "field 'cpus'");
	expect_error("{\"kernel\": \"kernel.bin\", \"cpus\": 65}", "field 'cpus'");
	expect_error("{\"kernel\": \"kernel.bin\", \"guest_memory\": 0}", "field 'guest_memory'");
	expect_error("{\"kernel\": \"kernel.bin\", \"guest_memory\": 4097000}",
		     "guest_memory: 4097000 is not a multiple of 4096");
	expect_error("{\"kernel\": \"missing.bin\"}", "missing.bin': No such file or directory");
	expect_error("{\"kernel\": \"kernel.bin\", \"ramdisk\": {\"fd\": 999}}",
		     "ramdisk (fd 999): Bad file descriptor");
	expect_error("{\"kernel\": \"kernel.bin\", \"virtio_vsock\": true}",
		     "field 'virtio_vsock': unknown field");
	expect_error("{\"kernel\": \"kernel.bin\", \"vhost_user_devices\": [{\"type\": \"gpu\", "
		     "\"socket\": \"x.sock\"}]}",
		     "field 'vhost_user_devices[0].type'");
	expect_error("{\"kernel\": \"kernel.bin\",\n \"cpus\": 1,,\n}", "line 2 column");
	expect_error("{\"kernel\": \"kernel.bin\", \"serial\": {\"out\": \"nodir/x\"}}",
		     "serial.out '");
}
END_TEST

/* vhost-user sockets: a path relative to the config, connected while the
 * config is read, and an inherited connected fd; in config order. */
START_TEST(vhost_user_devices_in_order)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vmm_config cfg;
	char err[512], text[256];
	int lsock = socket(AF_UNIX, SOCK_STREAM, 0), sv[2];

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/blk.sock", dir);
	ck_assert_int_eq(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lsock, 1), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	write_file("kernel.bin", "k");
	snprintf(text, sizeof(text), "{\"kernel\": \"kernel.bin\", \"vhost_user_devices\": ["
		 "{\"type\": \"blk\", \"socket\": \"blk.sock\"}, "
		 "{\"type\": \"rng\", \"socket\": {\"fd\": %d}}]}", sv[0]);
	ck_assert_int_eq(load(&cfg, text, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nvhost_user, 2);
	ck_assert_uint_eq(cfg.vhost_user[0].virtio_id, 2);
	ck_assert_str_eq(cfg.vhost_user[0].type, "blk");
	ck_assert_int_ge(cfg.vhost_user[0].socket.fd, 0);
	ck_assert_uint_eq(cfg.vhost_user[1].virtio_id, 4);
	ck_assert_int_ne(cfg.vhost_user[1].socket.fd, sv[0]);
	ck_assert_int_eq(write(cfg.vhost_user[1].socket.fd, "x", 1), 1);
	config_free(&cfg);
	close(sv[0]);
	close(sv[1]);
	close(lsock);
	expect_error("{\"kernel\": \"kernel.bin\", \"vhost_user_devices\": "
		     "[{\"type\": \"blk\", \"socket\": \"none.sock\"}]}",
		     "vhost_user_devices[0] (blk).socket 'none.sock': connect: ");
	expect_error("{\"kernel\": \"kernel.bin\", \"vhost_user_devices\": "
		     "[{\"type\": \"gpu\", \"socket\": \"x\"}]}",
		     "field 'vhost_user_devices[0].type'");
}
END_TEST

START_TEST(cmdline_just_fits)
{
	struct vmm_config cfg;
	char text[4096], base[2001], err[512];

	memset(base, 'a', 2000);
	base[2000] = '\0';
	write_file("kernel.bin", "k");
	snprintf(text, sizeof(text), "{\"kernel\": \"kernel.bin\", \"cmdline\": \"%s\", "
		 "\"cmdline_add\": [\"%.46s\"]}", base, base);
	ck_assert_int_eq(load(&cfg, text, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(cfg.cmdline), 2047);
	config_free(&cfg);
	snprintf(text, sizeof(text), "{\"kernel\": \"kernel.bin\", \"cmdline\": \"%s\", "
		 "\"cmdline_add\": [\"%.47s\"]}", base, base);
	ck_assert_int_eq(load(&cfg, text, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cmdline: 2048 bytes with cmdline_add joined, at most 2047");
}
END_TEST

START_TEST(socket_message_with_fds)
{
	struct vmm_config cfg;
	char err[512], path[128];
	const char *text = "{\"kernel\": {\"fd\": 1}, \"serial\": {\"fd\": 0}, \"kvm\": {\"fd\": 1}}";
	struct ipc_error ierr;
	int sv[2], fds[2];

	write_file("kernel.bin", "k");
	snprintf(path, sizeof(path), "%s/kernel.bin", dir);
	ck_assert_int_eq(ipc_socketpair(sv), 0);
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[1]);
	fds[1] = open(path, O_RDONLY);
	ck_assert_int_eq(ipc_send(sv[0], text, strlen(text), fds, 2, &ierr), IPC_OK);
	ck_assert_int_eq(config_load_socket(&cfg, sv[1], err, sizeof(err)), 0);
	ck_assert(same_file(cfg.kernel.fd, path));
	ck_assert_str_eq(cfg.kernel.name, "kernel (fd 1)");
	ck_assert_int_ne(cfg.serial_in.fd, cfg.serial_out.fd);	/* two copies of one */
	config_free(&cfg);
	close(fds[0]);
	close(fds[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(socket_fd_index_out_of_range)
{
	struct vmm_config cfg;
	char err[512];
	const char *text = "{\"kernel\": {\"fd\": 2}}";
	struct ipc_error ierr;
	int sv[2];

	ck_assert_int_eq(ipc_socketpair(sv), 0);
	ck_assert_int_eq(ipc_send(sv[0], text, strlen(text), NULL, 0, &ierr), IPC_OK);
	ck_assert_int_eq(config_load_socket(&cfg, sv[1], err, sizeof(err)), -1);
	ck_assert_str_eq(err, "kernel (fd 2): the message has only 0 fds");
	close(sv[1]);
	ck_assert_int_eq(config_load_socket(&cfg, sv[0], err, sizeof(err)), -1);
	close(sv[0]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, relative_paths_and_defaults);
	tcase_add_test(tc, inherited_fd_is_copied);
	tcase_add_test(tc, errors_name_the_field);
	tcase_add_test(tc, vhost_user_devices_in_order);
	tcase_add_test(tc, cmdline_just_fits);
	tcase_add_test(tc, socket_message_with_fds);
	tcase_add_test(tc, socket_fd_index_out_of_range);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
