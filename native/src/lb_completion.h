/*
 * lb_completion.h — the completion queue between Java worker threads and a
 * server's single-threaded event loop.
 *
 * Any thread pushes a finished exchange (lock-free, multi-producer); the event
 * loop drains them all at once. An eventfd is written only when the queue goes
 * from empty to non-empty, so a burst of completions costs one wake-up.
 * The queue is intrusive: the server embeds an lb_completion_node in its
 * per-exchange state, so pushing never allocates.
 */
#ifndef LB_COMPLETION_H
#define LB_COMPLETION_H

#include <stdatomic.h>

typedef struct lb_completion_node {
    struct lb_completion_node *next;
} lb_completion_node;

typedef struct lb_completion_queue {
    _Atomic(lb_completion_node *) head; /* most recent push first */
    int eventfd;                        /* readable while completions wait */
} lb_completion_queue;

/* Opens the eventfd (non-blocking, close-on-exec). Returns 0, or -1 with errno set. */
int lb_completion_open(lb_completion_queue *q);

/* Thread-safe, lock-free, never blocks. */
void lb_completion_push(lb_completion_queue *q, lb_completion_node *n);

/* Event loop only: takes every queued node, oldest first (NULL when empty).
 * Clears the eventfd before taking the nodes, so a push that races with the
 * drain always leaves a wake-up behind. */
lb_completion_node *lb_completion_drain(lb_completion_queue *q);

#endif /* LB_COMPLETION_H */
