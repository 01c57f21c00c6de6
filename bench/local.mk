# bench/: benchmarks, side by side with QEMU; not tests (see bench/README.md).
noinst_PROGRAMS += bench/boot-timer
bench_boot_timer_SOURCES = bench/boot-timer.c
EXTRA_DIST += bench/boot.sh bench/README.md
