EXTRA_DIST += tests/lib.sh

# Shared main for the Check unit tests (TAP output).
check_LTLIBRARIES = tests/unit/libchecktap.la
tests_unit_libchecktap_la_SOURCES = tests/unit/check_tap.c tests/unit/check_tap.h
tests_unit_libchecktap_la_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_libchecktap_la_LIBADD = $(CHECK_LIBS)
