/*
 * lb_log_test — Java threads log concurrently through lb_log_write while the server
 * reopens the log (SIGHUP): every line must arrive whole (one write() per line on an
 * O_APPEND file), none lost, and lines after the reopen must land in the new file.
 */
#define _GNU_SOURCE
#include "lb_log.h"

#include "lightbridge_abi.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 4
#define LINES 5000

static void *writer(void *arg) {
    char msg[256];
    for (int i = 0; i < LINES; ++i) {
        int n = snprintf(msg, sizeof msg, "thread-%ld line-%d %s", (long)arg, i,
                         "payload-payload-payload-payload-payload-payload-payload-payload");
        lb_log_write(LB_LOG_INFO, (const uint8_t *)msg, (uint64_t)n);
    }
    return NULL;
}

static const char after[] = "after the reopen";

/* Whole thread lines in path (-1 if any line is torn); *saw_after: the "after" line is there. */
static long count_whole_lines(const char *path, int *saw_after) {
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    char line[1024];
    long whole = 0;
    *saw_after = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strstr(line, after) != NULL) {
            *saw_after = 1;
        } else if (strstr(line, ": (lightbridge) INFO thread-") != NULL && strstr(line, "payload-payload\n") != NULL) {
            ++whole;
        } else {
            fprintf(stderr, "lb_log_test: torn line in %s: %s", path, line);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return whole;
}

int main(void) {
    char dir[] = "/tmp/lb_log_test.XXXXXX";
    if (mkdtemp(dir) == NULL) return 1;
    char first[64], second[64];
    snprintf(first, sizeof first, "%s/first.log", dir);
    snprintf(second, sizeof second, "%s/second.log", dir);
    if (lb_log_sink_open_path(first) != 0) return 1;

    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; ++t) pthread_create(&threads[t], NULL, writer, (void *)t);
    usleep(2000);
    if (lb_log_sink_open_path(second) != 0) return 1; /* reopen while the threads write */
    for (int t = 0; t < THREADS; ++t) pthread_join(threads[t], NULL);
    lb_log_write(LB_LOG_INFO, (const uint8_t *)after, sizeof after - 1);

    int after_in_first, after_in_second;
    long a = count_whole_lines(first, &after_in_first);
    long b = count_whole_lines(second, &after_in_second);
    unlink(first);
    unlink(second);
    rmdir(dir);
    if (a < 0 || b < 0 || after_in_first || !after_in_second || a + b != (long)THREADS * LINES) {
        fprintf(stderr, "lb_log_test: %ld + %ld lines, want %d; the last line in the new file: %d\n",
                a, b, THREADS * LINES, after_in_second);
        return 1;
    }
    printf("lb_log_test: %ld lines before and %ld after the reopen, none torn\n", a, b);
    return 0;
}
