/*
 * lb_log.h — a thread-safe line sink into the server's error log.
 *
 * Java threads log through lb_native_api.log while the server's own logger
 * (not thread-safe) belongs to the event loop. The sink owns its own file
 * descriptor: each line is formatted on the stack and written with one
 * write() (the log is opened O_APPEND, so lines never interleave), and the
 * descriptor is replaced atomically with dup3() when the log is reopened.
 */
#ifndef LB_LOG_H
#define LB_LOG_H

#include <stdint.h>

/* Writes to a duplicate of fd (a file, a pipe or stderr). Returns 0 or -1 (errno). */
int lb_log_sink_use_fd(int fd);

/* (Re)opens the log file at path, e.g. after the server reopened its logs. Returns 0 or -1. */
int lb_log_sink_open_path(const char *path);

/* Writes lines to syslog instead (the server logs to syslog). */
void lb_log_sink_use_syslog(void);

/* One line "<time>: (lightbridge) <LEVEL> <msg>"; any thread. level: LB_LOG_*. */
void lb_log_write(int32_t level, const uint8_t *msg, uint64_t len);

#endif /* LB_LOG_H */
