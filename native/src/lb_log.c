/*
 * lb_log.c — the thread-safe error-log sink (see lb_log.h).
 */
#define _GNU_SOURCE
#include "lb_log.h"

#include "lightbridge_abi.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LB_LOG_LINE_MAX 4096

static atomic_int lb_log_fd = -1;      /* our own descriptor; -1 means stderr */
static atomic_bool lb_log_syslog = 0;

static int lb_log_install(int fd) {
    int current = atomic_load(&lb_log_fd);
    if (current < 0) {
        int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (own < 0) return -1;
        atomic_store(&lb_log_fd, own);
        return 0;
    }
    /* dup3 swaps what `current` refers to in one step: writers never see a closed fd. */
    return dup3(fd, current, O_CLOEXEC) < 0 ? -1 : 0;
}

int lb_log_sink_use_fd(int fd) {
    atomic_store(&lb_log_syslog, 0);
    return lb_log_install(fd);
}

int lb_log_sink_open_path(const char *path) {
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    int rc = lb_log_sink_use_fd(fd);
    close(fd);
    return rc;
}

void lb_log_sink_use_syslog(void) {
    atomic_store(&lb_log_syslog, 1);
}

static const char *lb_log_level_name(int32_t level) {
    switch (level) {
    case LB_LOG_ERROR: return "ERROR";
    case LB_LOG_WARN:  return "WARN";
    default:           return "INFO";
    }
}

static int lb_log_syslog_priority(int32_t level) {
    return level == LB_LOG_ERROR ? LOG_ERR : level == LB_LOG_WARN ? LOG_WARNING : LOG_INFO;
}

void lb_log_write(int32_t level, const uint8_t *msg, uint64_t len) {
    int shown = len > LB_LOG_LINE_MAX ? LB_LOG_LINE_MAX : (int)len;
    if (atomic_load(&lb_log_syslog)) {
        syslog(lb_log_syslog_priority(level), "(lightbridge) %s %.*s",
               lb_log_level_name(level), shown, (const char *)msg);
        return;
    }
    char line[LB_LOG_LINE_MAX + 128];
    time_t now = time(NULL);
    struct tm tm;
    size_t n = strftime(line, 32, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    int m = snprintf(line + n, sizeof line - n, ": (lightbridge) %s %.*s\n",
                     lb_log_level_name(level), shown, (const char *)msg);
    if (m < 0) return;
    size_t total = n + (size_t)m < sizeof line ? n + (size_t)m : sizeof line - 1;
    int fd = atomic_load(&lb_log_fd);
    ssize_t ignored = write(fd < 0 ? STDERR_FILENO : fd, line, total);
    (void)ignored; /* a failing error log has nowhere left to report to */
}
