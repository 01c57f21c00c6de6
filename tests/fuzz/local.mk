# Fuzz targets: one file each, defining LLVMFuzzerTestOneInput(), with seed
# inputs in tests/fuzz/corpus/TARGET/. In a normal build each links with
# tests/fuzz/driver.c and runs in make check over its seeds plus a fixed set
# of mutations (one TAP line). With ./configure --enable-fuzzers (CC=clang)
# each links with libFuzzer instead, and `make fuzz` runs them all for
# FUZZ_SECONDS each (tests/fuzz/README.md).
#
# To add a target NAME: append tests/fuzz/NAME to FUZZ_TARGETS, give it
# tests_fuzz_NAME_SOURCES, _CFLAGS = $(FUZZ_CFLAGS) ..., _LDADD = ...
# $(FUZZ_LDADD), _LDFLAGS = $(FUZZ_LINK_FLAGS), and seeds in corpus/NAME/.

FUZZ_TARGETS = tests/fuzz/ipc_decode
FUZZ_CFLAGS = $(AM_CFLAGS)
FUZZ_SECONDS = 60
EXTRA_DIST += tests/fuzz/README.md tests/fuzz/corpus

if FUZZERS
noinst_PROGRAMS += $(FUZZ_TARGETS)
FUZZ_LDADD =
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
else
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
check_LTLIBRARIES += tests/fuzz/libfuzzdriver.la
FUZZ_LDADD = tests/fuzz/libfuzzdriver.la
FUZZ_LINK_FLAGS = $(AM_LDFLAGS)
endif
tests_fuzz_libfuzzdriver_la_SOURCES = tests/fuzz/driver.c

tests_fuzz_ipc_decode_SOURCES = tests/fuzz/ipc_decode.c
nodist_tests_fuzz_ipc_decode_SOURCES = tests/unit/test_schemas.c
tests_fuzz_ipc_decode_CFLAGS = $(FUZZ_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_ipc_decode_LDADD = ipc/libipc.la $(FUZZ_LDADD)
tests_fuzz_ipc_decode_LDFLAGS = $(FUZZ_LINK_FLAGS)

# Real fuzzing: new inputs go to fuzz-corpus/TARGET/ in the build tree (the
# seeds in the source tree stay as they are), crashes to fuzz-artifacts/.
.PHONY: fuzz
fuzz: $(FUZZ_TARGETS)
if FUZZERS
	@for t in $(FUZZ_TARGETS); do \
		name=`basename $$t`; \
		$(MKDIR_P) fuzz-corpus/$$name fuzz-artifacts || exit 1; \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=fuzz-artifacts/$$name- \
			fuzz-corpus/$$name $(srcdir)/tests/fuzz/corpus/$$name || exit 1; \
	done
else
	@echo "fuzz: configure with --enable-fuzzers CC=clang for real fuzzing runs;" \
		"make check already runs each target's seeds and mutations" >&2; exit 1
endif
