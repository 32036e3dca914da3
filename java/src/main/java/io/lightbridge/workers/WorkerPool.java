package io.lightbridge.workers;

import io.lightbridge.pipeline.Handler;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Runs request handlers off the server's thread, bounded in both directions.
 *
 * <p>Each accepted request gets its own virtual thread, which waits (FIFO) for one of {@code workers} permits until the
 * request's deadline. So: at most {@code workers} handlers run at once; at most {@code queueCapacity} more wait, and
 * {@link #submit} refuses the next one at once (the caller answers {@link #queueFull()}); a request still waiting at
 * its deadline is answered 504 without running, at its deadline, even while every worker is busy. A handler that
 * blocks (an fsync for a synchronous audit append, a batcher waiting to fill a batch) parks its virtual thread and holds
 * only its permit, so it delays nobody beyond the {@code workers} limit.
 *
 * <p>Thread-safe. Counters are cumulative since start, for the metrics exporter.
 */
public final class WorkerPool {

    private static final Response QUEUE_FULL =
            Response.error(503, "server busy: request queue full").withHeader("Retry-After", "1");
    private static final Response DEADLINE =
            Response.error(504, "request waited past its deadline for a worker");
    private static final Response FAILED = Response.error(500, "internal error in the request handler");

    private final int workers;
    private final int queueCapacity;
    private final Semaphore permits;
    private final ThreadFactory threads = Thread.ofVirtual().name("lightbridge-request").factory();
    private final Consumer<String> errorLog;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder completed = new LongAdder();

    public WorkerPool(int workers, int queueCapacity, Consumer<String> errorLog) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queue capacity must not be negative");
        }
        this.workers = workers;
        this.queueCapacity = queueCapacity;
        this.permits = new Semaphore(workers, true);
        this.errorLog = errorLog;
    }

    /** The answer for a request {@link #submit} refused. */
    public static Response queueFull() {
        return QUEUE_FULL;
    }

    /**
     * Hands {@code request} to {@code handler} on a worker; {@code reply} gets exactly one response (the handler's,
     * 504 at the deadline, or 500 if the handler threw), on a worker thread. Never blocks.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value; waiting for a worker past it answers 504
     * @return false, having done nothing, when {@code workers + queueCapacity} requests are already in the pool
     */
    public boolean submit(Request request, Handler handler, long deadlineNanos, Consumer<Response> reply) {
        if (inFlight.incrementAndGet() > workers + queueCapacity) {
            inFlight.decrementAndGet();
            rejected.increment();
            return false;
        }
        waiting.incrementAndGet();
        threads.newThread(() -> run(request, handler, deadlineNanos, reply)).start();
        return true;
    }

    private void run(Request request, Handler handler, long deadlineNanos, Consumer<Response> reply) {
        boolean admitted = awaitWorker(deadlineNanos);
        waiting.decrementAndGet();
        if (!admitted) {
            inFlight.decrementAndGet();
            expired.increment();
            deliver(reply, DEADLINE);
            return;
        }
        Response response;
        try {
            response = handler.handle(request);
        } catch (Throwable t) {
            failed.increment();
            errorLog.accept("request handler failed for " + request.method() + " " + request.path() + ": " + t);
            response = FAILED;
        } finally {
            permits.release();
            inFlight.decrementAndGet();
        }
        completed.increment();
        deliver(reply, response);
    }

    private boolean awaitWorker(long deadlineNanos) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        try {
            return permits.tryAcquire(remaining, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void deliver(Consumer<Response> reply, Response response) {
        try {
            reply.accept(response);
        } catch (Throwable t) {
            errorLog.accept("could not deliver a response: " + t);
        }
    }

    public int workers() {
        return workers;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    /** Requests accepted and not yet running (waiting for a worker). */
    public int queueDepth() {
        return waiting.get();
    }

    /** Handlers running now. */
    public int busyWorkers() {
        return workers - permits.availablePermits();
    }

    /** Requests refused with 503 because the queue was full. */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** Requests answered 504 because they waited past their deadline. */
    public long expiredCount() {
        return expired.sum();
    }

    /** Handlers that threw (answered 500). */
    public long failedCount() {
        return failed.sum();
    }

    /** Handlers that ran to an answer, including failed ones. */
    public long completedCount() {
        return completed.sum();
    }
}
