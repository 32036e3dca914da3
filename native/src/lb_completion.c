/*
 * lb_completion.c — lock-free MPSC completion queue with batched eventfd
 * wake-ups (see lb_completion.h).
 *
 * Producers push onto a Treiber stack; the consumer swaps the whole stack out
 * and reverses it. Only the consumer ever removes nodes, and it removes all of
 * them at once, so the stack has no ABA hazard.
 */
#include "lb_completion.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

int lb_completion_open(lb_completion_queue *q) {
    atomic_init(&q->head, NULL);
    q->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return q->eventfd < 0 ? -1 : 0;
}

static void lb_completion_wake(const lb_completion_queue *q) {
    const uint64_t one = 1;
    /* EAGAIN means the counter is already non-zero: the loop will wake anyway. */
    while (write(q->eventfd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

void lb_completion_push(lb_completion_queue *q, lb_completion_node *n) {
    lb_completion_node *old = atomic_load_explicit(&q->head, memory_order_relaxed);
    do {
        n->next = old;
    } while (!atomic_compare_exchange_weak_explicit(&q->head, &old, n,
                                                    memory_order_release,
                                                    memory_order_relaxed));
    if (old == NULL) /* empty → non-empty: the only push that needs a wake-up */
        lb_completion_wake(q);
}

static void lb_completion_clear_wakeup(const lb_completion_queue *q) {
    uint64_t count;
    while (read(q->eventfd, &count, sizeof count) < 0 && errno == EINTR)
        ;
}

lb_completion_node *lb_completion_drain(lb_completion_queue *q) {
    lb_completion_clear_wakeup(q);
    lb_completion_node *n = atomic_exchange_explicit(&q->head, NULL, memory_order_acquire);
    lb_completion_node *oldest_first = NULL;
    while (n != NULL) {
        lb_completion_node *next = n->next;
        n->next = oldest_first;
        oldest_first = n;
        n = next;
    }
    return oldest_first;
}
