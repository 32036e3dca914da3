package io.lightbridge.app;

import java.time.Duration;

/**
 * The {@code server} section: how requests reach the pipeline. Absent keys take the defaults below.
 *
 * <pre>
 * server:
 *   workers: 16             # request handlers running at once (worker threads; handlers may block)
 *   queue-capacity: 256     # requests waiting for a worker beyond that; one more gets 503 at once
 *   queue-timeout: 50ms     # how long a request may wait when the server gives no deadline of its own
 *   worker-spin: 0us        # how long an idle worker polls for the next request before it sleeps (costs CPU)
 *   batch-scheduling: true  # workers under Linux SCHED_BATCH at nice 10: waking one does not preempt the server's
 *                           # thread, and busy workers do not starve it
 *   diagnostics: false      # the echo/noop routes under /lightbridge/diag/, for tests and benchmarks only
 * </pre>
 */
public record ServerSettings(Integer workers, Integer queueCapacity, Duration queueTimeout, Duration workerSpin,
                             Boolean batchScheduling, Boolean diagnostics) {

    public static final int MAX_WORKERS = 4096;
    public static final int MAX_QUEUE_CAPACITY = 1_000_000;
    public static final Duration MAX_WORKER_SPIN = Duration.ofMillis(1);

    public ServerSettings {
        workers = workers == null ? 16 : workers;
        queueCapacity = queueCapacity == null ? 256 : queueCapacity;
        queueTimeout = queueTimeout == null ? Duration.ofMillis(50) : queueTimeout;
        workerSpin = workerSpin == null ? Duration.ZERO : workerSpin;
        batchScheduling = batchScheduling == null || batchScheduling;
        diagnostics = diagnostics != null && diagnostics;
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers: must be between 1 and " + MAX_WORKERS + ", not " + workers);
        }
        if (queueCapacity < 0 || queueCapacity > MAX_QUEUE_CAPACITY) {
            throw new IllegalArgumentException("queue-capacity: must be between 0 and " + MAX_QUEUE_CAPACITY
                    + ", not " + queueCapacity);
        }
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queue-timeout: must be positive, not " + queueTimeout);
        }
        if (workerSpin.isNegative() || workerSpin.compareTo(MAX_WORKER_SPIN) > 0) {
            throw new IllegalArgumentException("worker-spin: must be between 0us and 1ms, not " + workerSpin);
        }
    }

    public static ServerSettings defaults() {
        return new ServerSettings(null, null, null, null, null, null);
    }
}
