/* The daemon's one way to report: a line on stderr with its syslog
 * priority as a "<N>" prefix, which journald (and systemd's StandardError)
 * reads as the line's priority; plain lines on a terminal. */
#ifndef MANAGER_GUESTMGRD_LOG_H
#define MANAGER_GUESTMGRD_LOG_H

#include <stdbool.h>

void log_init(bool to_journal);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
