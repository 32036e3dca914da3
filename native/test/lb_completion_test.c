/*
 * lb_completion_test — the completion queue under contention: 4 producer threads push
 * 200,000 nodes while the consumer polls the eventfd and drains. Every node must arrive
 * exactly once, each producer's nodes in order, and wake-ups must be batched (far fewer
 * eventfd wake-ups than nodes). Built with the sanitizers too, where LeakSanitizer is on.
 */
#include "lb_completion.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define PRODUCERS 4
#define PER_PRODUCER 50000

typedef struct {
    lb_completion_node node; /* first member */
    int producer;
    int seq;
} item;

static lb_completion_queue queue;

static void *produce(void *arg) {
    const int producer = (int)(long)arg;
    for (int seq = 0; seq < PER_PRODUCER; ++seq) {
        item *it = malloc(sizeof *it);
        if (it == NULL) abort();
        it->producer = producer;
        it->seq = seq;
        lb_completion_push(&queue, &it->node);
    }
    return NULL;
}

static int fail(const char *what, int a, int b) {
    fprintf(stderr, "lb_completion_test: %s (%d, %d)\n", what, a, b);
    return 1;
}

int main(void) {
    if (lb_completion_open(&queue) != 0) return fail("eventfd", 0, 0);
    pthread_t threads[PRODUCERS];
    for (long p = 0; p < PRODUCERS; ++p) pthread_create(&threads[p], NULL, produce, (void *)p);

    int next_seq[PRODUCERS] = {0};
    long received = 0, wakeups = 0;
    while (received < (long)PRODUCERS * PER_PRODUCER) {
        struct pollfd pfd = { .fd = queue.eventfd, .events = POLLIN };
        if (poll(&pfd, 1, 5000) != 1) return fail("no wake-up within 5 s; received", (int)received, 0);
        ++wakeups;
        for (lb_completion_node *n = lb_completion_drain(&queue); n != NULL; ) {
            lb_completion_node *next = n->next;
            item *it = (item *)n;
            if (it->seq != next_seq[it->producer]) return fail("out of order", it->seq, next_seq[it->producer]);
            ++next_seq[it->producer];
            ++received;
            free(it);
            n = next;
        }
    }
    for (int p = 0; p < PRODUCERS; ++p) pthread_join(threads[p], NULL);
    if (lb_completion_drain(&queue) != NULL) return fail("nodes left after the last drain", 0, 0);
    printf("lb_completion_test: %ld nodes, %ld wake-ups\n", received, wakeups);
    if (wakeups >= received / 2) return fail("wake-ups are not batched", (int)wakeups, (int)received);
    return 0;
}
