package io.lightbridge.app;

import java.time.Duration;

/**
 * The {@code server} section: how requests reach the pipeline. Absent keys take the defaults below.
 *
 * <pre>
 * server:
 *   workers: 8            # request handlers running at once (default: 4 per CPU core)
 *   queue-capacity: 256   # requests waiting for a worker beyond that; one more gets 503 at once
 *   queue-timeout: 50ms   # how long a request may wait when the server gives no deadline of its own
 *   diagnostics: false    # the echo/noop routes under /lightbridge/diag/, for tests and benchmarks only
 * </pre>
 */
public record ServerSettings(Integer workers, Integer queueCapacity, Duration queueTimeout, Boolean diagnostics) {

    public static final int MAX_WORKERS = 4096;
    public static final int MAX_QUEUE_CAPACITY = 1_000_000;

    public ServerSettings {
        workers = workers == null ? 4 * Runtime.getRuntime().availableProcessors() : workers;
        queueCapacity = queueCapacity == null ? 256 : queueCapacity;
        queueTimeout = queueTimeout == null ? Duration.ofMillis(50) : queueTimeout;
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
    }

    public static ServerSettings defaults() {
        return new ServerSettings(null, null, null, null);
    }
}
