# bench/: benchmarks, side by side with QEMU; not tests (see bench/README.md).
noinst_PROGRAMS += bench/boot-timer
bench_boot_timer_SOURCES = bench/boot-timer.c

# bench/blk's host side: the vmm's vhost-user frontend, no guest.
noinst_PROGRAMS += bench/blk-host
bench_blk_host_SOURCES = bench/blk-host.c bench/blk-load.h
bench_blk_host_CFLAGS = $(VMM_CFLAGS)
bench_blk_host_LDADD = vmm/libvmm.la

# bench/api: guestmgrd requests timed at the socket with guestctl's client
# code, and a vmm that sets nothing up for the daemon's own share of Launch
# (bench/api-virt.c, libvirt's side, is built by bench/api.sh itself).
noinst_PROGRAMS += bench/api-client bench/api-null-vmm
bench_api_client_SOURCES = bench/api-client.c manager/guestctl/client.c manager/guestctl/client.h
bench_api_client_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
bench_api_client_LDADD = ipc/libipc.la $(JANSSON_LIBS)
bench_api_null_vmm_SOURCES = bench/api-null-vmm.c
bench_api_null_vmm_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
bench_api_null_vmm_LDADD = ipc/libipc.la $(JANSSON_LIBS)
EXTRA_DIST += bench/api.sh bench/api-virt.c bench/api-report.awk

# A preload shim, built as a plain shared object: the tree is configured
# --disable-shared, and this is no library of ours but a probe.
noinst_DATA += bench/kvm-run-trace.so
bench/kvm-run-trace.so: bench/kvm-run-trace.c
	$(AM_V_CC)$(MKDIR_P) bench && \
	$(CC) $(WARN_CFLAGS) -O2 -shared -fPIC -o $@ $(srcdir)/bench/kvm-run-trace.c -ldl
CLEANFILES += bench/kvm-run-trace.so bench/api-virt bench/api.samples
EXTRA_DIST += bench/boot.sh bench/README.md bench/kvm-run-trace.c bench/blk.sh bench/blk-io.c \
	bench/stats.awk bench/boot-report.awk bench/linux.sh bench/linux-report.awk bench/linux-exits.awk
