#include "vmm/config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/decode.h"
#include "ipc/frame.h"
#include "ipc/schema.h"
#include "vmm/cmdline.h"

#define CONFIG_SCHEMA "vmm-config"
#define CONFIG_FILE_MAX (1024 * 1024)
#define PAGE_SIZE 4096

/* Where {"fd": N} and relative paths point. */
struct fd_source {
	const char *dir;	/* for relative paths; NULL: the cwd */
	const int *fds;		/* message fds; NULL: N is an inherited fd */
	size_t nfds;
};

static void file_init(struct config_file *f)
{
	f->fd = -1;
	f->name[0] = '\0';
}

static void file_close(struct config_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* A private copy of fd N, so every config fd is closed exactly once
 * whatever the config repeats, and the original is left to its owner. */
static int take_fd(struct config_file *f, const char *field, const struct fd_source *src,
		   json_int_t n, char *err, size_t errlen)
{
	int fd = (int)n;

	snprintf(f->name, sizeof(f->name), "%s (fd %d)", field, fd);
	if (src->fds) {
		if ((size_t)n >= src->nfds) {
			snprintf(err, errlen, "%s: the message has only %zu fds", f->name, src->nfds);
			return -1;
		}
		fd = src->fds[n];
	}
	f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (f->fd < 0) {
		snprintf(err, errlen, "%s: %s", f->name, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_path(struct config_file *f, const char *field, const struct fd_source *src,
		     const char *path, int flags, char *err, size_t errlen)
{
	char full[CONFIG_NAME_MAX];
	int n;

	if (path[0] == '/' || !src->dir)
		n = snprintf(full, sizeof(full), "%s", path);
	else
		n = snprintf(full, sizeof(full), "%s/%s", src->dir, path);
	if (snprintf(f->name, sizeof(f->name), "%s '%s'", field, full) >= (int)sizeof(f->name) ||
	    n >= (int)sizeof(full)) {
		snprintf(err, errlen, "%s: path too long", field);
		return -1;
	}
	f->fd = open(full, flags | O_CLOEXEC | O_NOCTTY, 0644);
	if (f->fd < 0) {
		snprintf(err, errlen, "%s: %s", f->name, strerror(errno));
		return -1;
	}
	return 0;
}

/* A "file" of the schema: a path string or {"fd": N}. Absent: fd stays -1. */
static int get_file(struct config_file *f, const json_t *obj, const char *field,
		    const char *key, const struct fd_source *src, int flags,
		    char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (json_is_string(v))
		return open_path(f, field, src, json_string_value(v), flags, err, errlen);
	return take_fd(f, field, src, json_integer_value(json_object_get(v, "fd")),
		       err, errlen);
}

static int default_fd(struct config_file *f, const char *field, int fd,
		      char *err, size_t errlen)
{
	if (f->fd >= 0)
		return 0;
	snprintf(f->name, sizeof(f->name), "%s (%s)", field, fd ? "stdout" : "stdin");
	f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (f->fd < 0) {
		snprintf(err, errlen, "%s: %s", f->name, strerror(errno));
		return -1;
	}
	return 0;
}

static int get_serial(struct vmm_config *cfg, const json_t *doc, const struct fd_source *src,
		      char *err, size_t errlen)
{
	const json_t *serial = json_object_get(doc, "serial");
	const json_t *fd = json_object_get(serial, "fd");

	if (fd) {
		/* One bidirectional fd (a socket, a tty): two copies. */
		if (take_fd(&cfg->serial_in, "serial", src, json_integer_value(fd), err, errlen) < 0 ||
		    take_fd(&cfg->serial_out, "serial", src, json_integer_value(fd), err, errlen) < 0)
			return -1;
		return 0;
	}
	if (serial &&
	    (get_file(&cfg->serial_in, serial, "serial.in", "in", src, O_RDONLY, err, errlen) < 0 ||
	     get_file(&cfg->serial_out, serial, "serial.out", "out", src,
		      O_WRONLY | O_CREAT | O_TRUNC, err, errlen) < 0))
		return -1;
	if (default_fd(&cfg->serial_in, "serial.in", STDIN_FILENO, err, errlen) < 0 ||
	    default_fd(&cfg->serial_out, "serial.out", STDOUT_FILENO, err, errlen) < 0)
		return -1;
	return 0;
}

/* A vhost-user socket path: connected here, so a backend that is not
 * listening is a start error naming the device. */
static int connect_path(struct config_file *f, const char *field, const struct fd_source *src,
			const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n;

	if (path[0] == '/' || !src->dir)
		n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	else
		n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", src->dir, path);
	snprintf(f->name, sizeof(f->name), "%s '%s'", field, path);
	if (n >= (int)sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path longer than %zu bytes", f->name,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->fd < 0 || connect(f->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "%s: connect: %s", f->name, strerror(errno));
		return -1;
	}
	return 0;
}

static const struct {
	const char *type;
	unsigned int virtio_id;
} virtio_types[] = {
	{ "net", 1 }, { "blk", 2 }, { "console", 3 }, { "rng", 4 }, { "balloon", 5 },
	{ "vsock", 19 },
};

static int get_vhost_user(struct vmm_config *cfg, const json_t *doc, const struct fd_source *src,
			  char *err, size_t errlen)
{
	const json_t *devs = json_object_get(doc, "vhost_user_devices");

	for (size_t i = 0; i < json_array_size(devs); i++) {
		const json_t *d = json_array_get(devs, i);
		const json_t *sock = json_object_get(d, "socket");
		struct config_vhost_user *v = &cfg->vhost_user[i];
		char field[64];

		snprintf(v->type, sizeof(v->type), "%s",
			 json_string_value(json_object_get(d, "type")));
		for (size_t t = 0; t < sizeof(virtio_types) / sizeof(virtio_types[0]); t++)
			if (!strcmp(v->type, virtio_types[t].type))
				v->virtio_id = virtio_types[t].virtio_id;
		cfg->nvhost_user = (unsigned int)i + 1;
		snprintf(field, sizeof(field), "vhost_user_devices[%zu] (%s).socket", i, v->type);
		if (json_is_string(sock) ?
		    connect_path(&v->socket, field, src, json_string_value(sock), err, errlen) < 0 :
		    take_fd(&v->socket, field, src, json_integer_value(json_object_get(sock, "fd")),
			    err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int get_cmdline(struct vmm_config *cfg, const json_t *doc, char *err, size_t errlen)
{
	const json_t *adds = json_object_get(doc, "cmdline_add");
	size_t nadds = json_array_size(adds), len;
	const char **strs = calloc(nadds + 1, sizeof(*strs));

	if (!strs) {
		snprintf(err, errlen, "cmdline_add: out of memory");
		return -1;
	}
	for (size_t i = 0; i < nadds; i++)
		strs[i] = json_string_value(json_array_get(adds, i));
	len = cmdline_join(cfg->cmdline, sizeof(cfg->cmdline),
			   json_string_value(json_object_get(doc, "cmdline")), strs, nadds);
	free(strs);
	if (len >= sizeof(cfg->cmdline)) {
		snprintf(err, errlen, "cmdline: %zu bytes with cmdline_add joined, "
			 "at most %u", len, LAYOUT_CMDLINE_MAX - 1);
		return -1;
	}
	return 0;
}

static int get_machine(struct vmm_config *cfg, const json_t *doc, char *err, size_t errlen)
{
	const json_t *cpus = json_object_get(doc, "cpus");
	const json_t *mem = json_object_get(doc, "guest_memory");

	cfg->cpus = cpus ? (unsigned int)json_integer_value(cpus) : 1;
	cfg->guest_memory = mem ? (uint64_t)json_integer_value(mem) : 1ULL << 30;
	/* KVM memory slots are made of whole pages. */
	if (cfg->guest_memory % PAGE_SIZE) {
		snprintf(err, errlen, "guest_memory: %llu is not a multiple of %d",
			 (unsigned long long)cfg->guest_memory, PAGE_SIZE);
		return -1;
	}
	return 0;
}

/* doc conforms to the schema here. */
static int config_from_json(struct vmm_config *cfg, const json_t *doc,
			    const struct fd_source *src, char *err, size_t errlen)
{
	const json_t *kvm = json_object_get(doc, "kvm");

	if (get_machine(cfg, doc, err, errlen) < 0 ||
	    get_cmdline(cfg, doc, err, errlen) < 0 ||
	    get_file(&cfg->kernel, doc, "kernel", "kernel", src, O_RDONLY, err, errlen) < 0 ||
	    get_file(&cfg->ramdisk, doc, "ramdisk", "ramdisk", src, O_RDONLY, err, errlen) < 0 ||
	    get_file(&cfg->dtb_overlay, doc, "dtb_overlay", "dtb_overlay", src, O_RDONLY,
		     err, errlen) < 0 ||
	    get_serial(cfg, doc, src, err, errlen) < 0 ||
	    get_vhost_user(cfg, doc, src, err, errlen) < 0)
		return -1;
	if (kvm && take_fd(&cfg->kvm, "kvm", src, json_integer_value(json_object_get(kvm, "fd")),
			   err, errlen) < 0)
		return -1;
	return 0;
}

static void config_init(struct vmm_config *cfg)
{
	file_init(&cfg->kernel);
	file_init(&cfg->ramdisk);
	file_init(&cfg->dtb_overlay);
	file_init(&cfg->serial_in);
	file_init(&cfg->serial_out);
	file_init(&cfg->kvm);
	for (unsigned int i = 0; i < CONFIG_MAX_VHOST_USER; i++)
		file_init(&cfg->vhost_user[i].socket);
	cfg->nvhost_user = 0;
	cfg->cmdline[0] = '\0';
	cfg->cpus = 0;
	cfg->guest_memory = 0;
}

int config_open_kvm(struct vmm_config *cfg, char *err, size_t errlen)
{
	if (cfg->kvm.fd >= 0)
		return 0;
	snprintf(cfg->kvm.name, sizeof(cfg->kvm.name), "/dev/kvm");
	cfg->kvm.fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (cfg->kvm.fd < 0) {
		snprintf(err, errlen, "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void config_free(struct vmm_config *cfg)
{
	file_close(&cfg->kernel);
	file_close(&cfg->ramdisk);
	file_close(&cfg->dtb_overlay);
	file_close(&cfg->serial_in);
	file_close(&cfg->serial_out);
	file_close(&cfg->kvm);
	for (unsigned int i = 0; i < cfg->nvhost_user; i++)
		file_close(&cfg->vhost_user[i].socket);
}

/* Decode, validate and apply one JSON payload; what prefixes errors. */
static int config_from_payload(struct vmm_config *cfg, const char *what, const void *payload,
			       size_t len, const struct fd_source *src,
			       char *err, size_t errlen)
{
	char msg[IPC_SCHEMA_ERR_MAX];
	struct ipc_schema *schema = ipc_schema_get(CONFIG_SCHEMA, msg, sizeof(msg));
	json_t *doc;
	int ret;

	config_init(cfg);
	if (!schema) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	doc = ipc_decode_json(payload, len, schema, msg, sizeof(msg));
	ipc_schema_free(schema);
	if (!doc) {
		snprintf(err, errlen, "%s: %s", what, msg);
		return -1;
	}
	ret = config_from_json(cfg, doc, src, err, errlen);
	json_decref(doc);
	if (ret < 0)
		config_free(cfg);
	return ret;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf = malloc(CONFIG_FILE_MAX);

	if (!f || !buf) {
		snprintf(err, errlen, "config '%s': %s", path, strerror(errno));
		goto fail;
	}
	*len = fread(buf, 1, CONFIG_FILE_MAX, f);
	if (ferror(f) || *len == CONFIG_FILE_MAX) {
		snprintf(err, errlen, "config '%s': %s", path,
			 ferror(f) ? strerror(errno) : "larger than 1 MiB");
		goto fail;
	}
	fclose(f);
	return buf;
fail:
	if (f)
		fclose(f);
	free(buf);
	return NULL;
}

int config_load_file(struct vmm_config *cfg, const char *path, char *err, size_t errlen)
{
	char what[CONFIG_NAME_MAX], dirbuf[CONFIG_NAME_MAX];
	struct fd_source src = { .dir = NULL };
	size_t len;
	char *text = read_file(path, &len, err, errlen);
	int ret;

	config_init(cfg);
	if (!text)
		return -1;
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	src.dir = dirname(dirbuf);
	snprintf(what, sizeof(what), "config '%s'", path);
	ret = config_from_payload(cfg, what, text, len, &src, err, errlen);
	free(text);
	return ret;
}

int config_load_socket(struct vmm_config *cfg, int sock, char *err, size_t errlen)
{
	char *buf = malloc(IPC_MAX_MSG);
	struct ipc_error ierr;
	struct ipc_msg msg;
	struct fd_source src = { .dir = NULL };
	enum ipc_status st;
	int ret = -1;

	config_init(cfg);
	if (!buf) {
		snprintf(err, errlen, "config fd %d: out of memory", sock);
		return -1;
	}
	do
		st = ipc_recv(sock, buf, IPC_MAX_MSG, &msg, &ierr);
	while (st == IPC_E_AGAIN);
	if (st != IPC_OK) {
		char why[256];

		snprintf(err, errlen, "config fd %d: %s", sock, ipc_strerror(&ierr, why, sizeof(why)));
	} else {
		src.fds = msg.fds;
		src.nfds = msg.nfds;
		ret = config_from_payload(cfg, "config message", buf, msg.len, &src, err, errlen);
		/* Every field took its own copy. */
		ipc_close_fds(msg.fds, msg.nfds);
	}
	free(buf);
	return ret;
}
