package io.lightbridge.bench.jmh;

import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Handler;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.workers.WorkerPool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Callers as the server sees them: {@code callers} requests in flight through the real {@link Pipeline} and
 * {@link WorkerPool} (the server's defaults: 16 workers under SCHED_BATCH, queue 256, no spin). Each reply issues that
 * caller's next request at once: a closed loop, like keep-alive connections that send the next request as soon as the
 * answer arrives. A caller is one request in flight, not a thread: a request waiting for its batch holds no thread, as
 * in lighttpd, whose event loop only submits and is told of completions. Here the thread that delivers a reply (a
 * worker, the one that ran the batch, or the batch thread) submits the next request itself, where the server would
 * do it from its event loop.
 */
final class ClosedLoop implements AutoCloseable {

    /** The server's default worker pool ({@code io.lightbridge.app.ServerSettings}). */
    static final int WORKERS = 16;
    static final int QUEUE = 256;

    private final WorkerPool pool = new WorkerPool(WORKERS, QUEUE, Duration.ZERO, true, ServerLog.NONE, n -> { });
    private final Request request;
    private final Handler handler;
    private final int callers;
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile String firstFailure;
    /**
     * One deadline for every request of a {@link #start}: it only guards against a stuck run (504s would count as
     * failures), and a clock read per request would be the harness's cost on the replying thread, which the server
     * pays on its own event loop.
     */
    private volatile long deadlineNanos;

    ClosedLoop(Pipeline pipeline, Request request, int callers) {
        this(pipeline, request, callers, false);
    }

    /**
     * @param blocking run each request on its worker until it is answered, as before the asynchronous handler
     *                 contract (a request waiting for its batch holds its worker): for comparison only
     */
    ClosedLoop(Pipeline pipeline, Request request, int callers, boolean blocking) {
        this(handler(pipeline, pipeline.route(request), blocking), request, callers);
    }

    private static Handler handler(Pipeline pipeline, Route route, boolean blocking) {
        return blocking ? r -> pipeline.handle(r, route) : pipeline.forRoute(route);
    }

    /** {@code callers} copies of {@code request} in flight through {@code handler} (see {@link ModelCalls}). */
    ClosedLoop(Handler handler, Request request, int callers) {
        this.request = request;
        this.handler = handler;
        this.callers = callers;
    }

    /** Puts {@code callers} requests in flight. */
    void start() {
        stopping.set(false);
        deadlineNanos = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        for (int i = 0; i < callers; i++) {
            inFlight.incrementAndGet();
            submit();
        }
    }

    private void submit() {
        if (!pool.submit(request, handler, deadlineNanos, this::replied)) {
            failed.increment();
            firstFailure = "the worker pool refused a request";
            inFlight.decrementAndGet();
        }
    }

    private void replied(Response response) {
        if (response.status() == 200) {
            completed.increment();
        } else {
            failed.increment();
            if (firstFailure == null) {
                firstFailure = response.status() + " " + response.bodyText();
            }
        }
        if (stopping.get()) {
            inFlight.decrementAndGet();
        } else {
            submit();
        }
    }

    /** Replies with status 200 so far. */
    long completed() {
        return completed.sum();
    }

    /** Lets the requests in flight finish without issuing more; throws if any request failed. */
    void stop() throws InterruptedException {
        stopping.set(true);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        if (failed.sum() > 0) {
            throw new IllegalStateException(failed.sum() + " requests failed, the first: " + firstFailure);
        }
        if (inFlight.get() > 0) {
            throw new IllegalStateException(inFlight.get() + " requests still in flight after 30 s");
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
