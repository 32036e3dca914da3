package io.lightbridge.bridge;

import static io.lightbridge.bridge.AbiLayouts.EXCHANGE;

import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.workers.WorkerPool;
import java.lang.foreign.MemorySegment;

/**
 * The targets of the upcall stubs. {@link #submit} runs on the server's event-loop thread, so it only copies the
 * request, routes it and either answers at once (cheap routes, refusals, errors) or queues it for the worker pool;
 * {@link #flush}, called once per pass of the server's loop, starts what was queued (one wake-up per pass).
 * No exception leaves an upcall: one would take the whole server down.
 */
final class ExchangeDispatcher {

    private static final Response FAILED = Response.error(500, "internal error in the server bridge");

    private final NativeApi server;
    private final Pipeline pipeline;
    private final WorkerPool workers;
    private final long defaultTimeoutNanos;
    private final Runnable sighup;

    ExchangeDispatcher(NativeApi server, Pipeline pipeline, WorkerPool workers, long defaultTimeoutNanos,
                       Runnable sighup) {
        this.server = server;
        this.pipeline = pipeline;
        this.workers = workers;
        this.defaultTimeoutNanos = defaultTimeoutNanos;
        this.sighup = sighup;
    }

    /** lb_java_api.submit. Returns SUBMIT_DONE with the response filled, or SUBMIT_QUEUED and completes later. */
    int submit(MemorySegment address) {
        long start = System.nanoTime();
        MemorySegment exchange = MemorySegment.NULL;
        try {
            if (address.equals(MemorySegment.NULL)) {
                server.log(AbiLayouts.LOG_ERROR, "submit() called with a NULL exchange; ignored");
                return AbiLayouts.SUBMIT_DONE;
            }
            exchange = address.reinterpret(EXCHANGE.byteSize());
            return dispatch(exchange, start);
        } catch (Throwable t) {
            fail(exchange, t);
            return AbiLayouts.SUBMIT_DONE;
        }
    }

    private int dispatch(MemorySegment exchange, long start) {
        Request request = RequestReader.read(exchange);
        Route route = pipeline.route(request);
        if (answersInline(route)) {
            ResponseWriter.write(server, exchange, pipeline.handle(request, route));
            return AbiLayouts.SUBMIT_DONE;
        }
        long timeout = RequestReader.timeoutNanos(exchange);
        long deadline = start + (timeout > 0 ? timeout : defaultTimeoutNanos);
        if (workers.offer(request, pipeline.forRoute(route), deadline, response -> finish(exchange, response))) {
            return AbiLayouts.SUBMIT_QUEUED; // nothing may throw after this: the exchange now belongs to the worker
        }
        ResponseWriter.write(server, exchange, WorkerPool.queueFull());
        return AbiLayouts.SUBMIT_DONE;
    }

    /**
     * Routes that cost less than the hand-off run on the server's thread: inline-marked open routes (health, metadata)
     * and the refusals (404, 405), which also keeps junk traffic from filling the queue.
     */
    private static boolean answersInline(Route route) {
        return switch (route) {
            case Route.Open open -> open.inline();
            case Route.NotFound _, Route.MethodNotAllowed _ -> true;
            case Route.Guarded _ -> false;
        };
    }

    /** On a worker, or the thread that finished a waiting call: fill the response and hand the exchange back, exactly once. */
    private void finish(MemorySegment exchange, Response response) {
        try {
            ResponseWriter.write(server, exchange, response);
        } catch (Throwable t) {
            fail(exchange, t);
        } finally {
            server.complete(exchange);
        }
    }

    /** Answers 500 as well as still possible; never throws (it runs inside upcalls). */
    private void fail(MemorySegment exchange, Throwable cause) {
        try {
            server.log(AbiLayouts.LOG_ERROR, "request failed in the bridge: " + cause);
            if (ResponseWriter.hasBlock(exchange)) {
                ResponseWriter.writeBare(exchange, 500);
            } else {
                ResponseWriter.write(server, exchange, FAILED);
            }
        } catch (Throwable again) {
            try {
                ResponseWriter.writeBare(exchange, 500);
            } catch (Throwable lost) {
                // The exchange itself is unusable (e.g. NULL); nothing can be written, and throwing would kill the server.
            }
        }
    }

    /** lb_java_api.flush: wakes a worker for the requests queued since the last flush, if none is coming anyway. */
    void flush() {
        try {
            workers.flush();
        } catch (Throwable t) {
            server.log(AbiLayouts.LOG_ERROR, "flush failed: " + t);
        }
    }

    /** lb_java_api.on_sighup: returns at once; the work runs on another thread. */
    void onSighup() {
        try {
            sighup.run();
        } catch (Throwable t) {
            server.log(AbiLayouts.LOG_ERROR, "SIGHUP handling failed: " + t);
        }
    }
}
