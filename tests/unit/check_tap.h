/* Every Check test program ends with check_run_tap(suite): the results go
 * out as TAP on stdout, one line per test case, for automake's tap-driver. */
#ifndef TESTS_UNIT_CHECK_TAP_H
#define TESTS_UNIT_CHECK_TAP_H

#include <check.h>

int check_run_tap(Suite *suite);

#endif
