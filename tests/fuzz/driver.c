/* A stand-in for libFuzzer's main, so every fuzz target also builds with
 * gcc and runs in `make check`: the target's LLVMFuzzerTestOneInput() gets
 * each seed file, then a fixed number of pseudo-random mutations of them.
 * The generator's seed is fixed, so every run tries the same inputs and a
 * failure reproduces. One TAP line per run.
 *
 *   TARGET            seeds from $top_srcdir/tests/fuzz/corpus/TARGET/
 *   TARGET PATH...    seeds from these files and directories
 *   FUZZ_MUTATIONS=N  how many mutated inputs (default 20000; 0 runs the
 *                     seeds only, e.g. to replay a saved crash)
 *
 * If an input crashes the target (signal or sanitizer report), it is saved
 * to crash-TARGET in the current directory before the process dies. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MUTATIONS 20000
#define MAX_SEED_BYTES (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Present when built with a sanitizer: called before it kills the process. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

struct input {
	uint8_t *data;
	size_t len;
};

static struct input *seeds;
static size_t nseeds;
static const char *target;
static char crash_path[256];

/* The input being run, for the crash handlers. */
static const uint8_t *current;
static size_t current_len;

static void save_current(void)
{
	static const char note[] = "# crashing input saved to ";
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || !current)
		return;
	if (write(fd, current, current_len) < 0 ||
	    write(STDOUT_FILENO, note, sizeof(note) - 1) < 0 ||
	    write(STDOUT_FILENO, crash_path, strlen(crash_path)) < 0 ||
	    write(STDOUT_FILENO, "\n", 1) < 0) {
		/* nothing more can be done while dying */
	}
	close(fd);
}

static void on_fatal_signal(int sig)
{
	save_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_crashes(void)
{
	static const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	size_t n = sizeof(fatal) / sizeof(fatal[0]);

	snprintf(crash_path, sizeof(crash_path), "crash-%s", target);
	/* A sanitizer reports faults itself (better than a bare signal) and
	 * then calls back; only abort() is left to catch. */
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(save_current);
		n = 1;
	}
	for (size_t i = 0; i < n; i++)
		signal(fatal[i], on_fatal_signal);
}

/* Like the fuzzer, give the target a buffer of exactly the input's size,
 * so a sanitizer sees any read past its end. */
static void run(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy) {
		perror("malloc");
		exit(EXIT_FAILURE);
	}
	memcpy(copy, data, len);
	current = copy;
	current_len = len;
	LLVMFuzzerTestOneInput(copy, len);
	current = NULL;
	free(copy);
}

static void add_seed(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = malloc(MAX_SEED_BYTES);
	size_t len;

	if (!f || !data) {
		printf("not ok 1 - %s: seed %s: %s\n", target, path, strerror(errno));
		exit(EXIT_FAILURE);
	}
	len = fread(data, 1, MAX_SEED_BYTES, f);
	fclose(f);
	seeds = realloc(seeds, (nseeds + 1) * sizeof(*seeds));
	if (!seeds) {
		perror("realloc");
		exit(EXIT_FAILURE);
	}
	seeds[nseeds++] = (struct input){ .data = data, .len = len };
}

/* A file, or every regular file of a directory in name order. */
static void add_seeds(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n;

	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		add_seed(path);
		return;
	}
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		printf("not ok 1 - %s: corpus %s: %s\n", target, path, strerror(errno));
		exit(EXIT_FAILURE);
	}
	for (int i = 0; i < n; i++) {
		char file[4096];

		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
			add_seed(file);
		free(names[i]);
	}
	free(names);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: small, fast, and the same sequence everywhere. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1du;
}

static size_t below(size_t n)
{
	return n ? rng() % n : 0;
}

/* Pieces that tend to matter to parsers of text formats: whole values to
 * swap in, delimiters, escapes, edge numbers, bytes that are not UTF-8. */
static const char *const tokens[] = {
	"{", "}", "[", "]", "\"", ",", ":", "\\", "\\u0000", "\\ud800", "null",
	"true", "false", "0", "1", "-1", "0.5", "1e999", "-0.0", "65536",
	"9223372036854775808", "\"\"", "\"x\"", "{}", "[]", "[[[[", "\xff",
	"\xc3\xa9", "\x00",
};

/* A length of at most avail bytes: mostly a few, now and then any. */
static size_t range_len(size_t avail)
{
	size_t most = below(8) ? 8 : avail;

	return below((most < avail ? most : avail) + 1);
}

/* Insert n bytes at pos, if they fit in cap. */
static void insert(uint8_t *buf, size_t *len, size_t cap, size_t pos,
		   const void *bytes, size_t n)
{
	if (*len + n > cap)
		return;
	memmove(buf + pos + n, buf + pos, *len - pos);
	memcpy(buf + pos, bytes, n);
	*len += n;
}

static void delete(uint8_t *buf, size_t *len, size_t pos, size_t n)
{
	memmove(buf + pos, buf + pos + n, *len - pos - n);
	*len -= n;
}

/* One random edit of buf, keeping len <= cap. */
static void mutate_once(uint8_t *buf, size_t *len, size_t cap)
{
	size_t pos = below(*len + 1), from, n;
	const struct input *other;
	const char *tok;
	uint8_t piece[256];

	switch (below(7)) {
	case 0: /* flip a bit */
		if (*len)
			buf[below(*len)] ^= 1u << below(8);
		break;
	case 1: /* overwrite a byte */
		if (*len)
			buf[below(*len)] = rng();
		break;
	case 2: /* replace a few bytes with a token */
		delete(buf, len, pos, range_len(*len - pos));
		/* fall through */
	case 3: /* insert a token */
		tok = tokens[below(sizeof(tokens) / sizeof(tokens[0]))];
		insert(buf, len, cap, pos, tok, *tok ? strlen(tok) : 1);
		break;
	case 4: /* delete a few bytes */
		delete(buf, len, pos, range_len(*len - pos));
		break;
	case 5: /* copy a piece of itself elsewhere */
		from = below(*len + 1);
		n = range_len(*len - from);
		n = n > sizeof(piece) ? sizeof(piece) : n;
		memcpy(piece, buf + from, n);
		insert(buf, len, cap, pos, piece, n);
		break;
	case 6: /* splice in a piece of another seed */
		other = &seeds[below(nseeds)];
		from = below(other->len + 1);
		insert(buf, len, cap, pos, other->data + from, range_len(other->len - from));
		break;
	}
}

static void run_mutations(unsigned long count)
{
	for (unsigned long i = 0; i < count; i++) {
		const struct input *seed = &seeds[i % nseeds];
		size_t cap = 2 * seed->len + 256, len = seed->len;
		uint8_t *buf = malloc(cap);
		unsigned edits = 1;

		/* mostly one edit, so many inputs stay nearly well-formed and
		 * reach the code past the parser's first checks */
		while (edits < 8 && below(2))
			edits++;

		if (!buf) {
			perror("malloc");
			exit(EXIT_FAILURE);
		}
		memcpy(buf, seed->data, len);
		while (edits--)
			mutate_once(buf, &len, cap);
		run(buf, len);
		free(buf);
	}
}

int main(int argc, char **argv)
{
	const char *env = getenv("FUZZ_MUTATIONS");
	unsigned long mutations = env ? strtoul(env, NULL, 10) : DEFAULT_MUTATIONS;

	target = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (strncmp(target, "lt-", 3) == 0) /* libtool's name for the real binary */
		target += 3;
	printf("1..1\n");
	fflush(stdout);
	catch_crashes();
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			add_seeds(argv[i]);
	} else {
		const char *top = getenv("top_srcdir");
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", target);
		add_seeds(dir);
	}
	if (nseeds == 0)
		add_seed("/dev/null");

	for (size_t i = 0; i < nseeds; i++)
		run(seeds[i].data, seeds[i].len);
	run_mutations(mutations);
	printf("ok 1 - %s: %zu seed inputs and %lu mutations of them\n", target, nseeds, mutations);

	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i].data);
	free(seeds);
	return EXIT_SUCCESS;
}
