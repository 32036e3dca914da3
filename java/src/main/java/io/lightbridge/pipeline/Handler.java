package io.lightbridge.pipeline;

import java.util.concurrent.CompletableFuture;

/** Turns a request into a response. Implementations are thread-safe and never throw for bad input. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request);

    /**
     * The response as a stage, for callers that must not wait: a handler whose work waits (a call queued for a batch)
     * returns at once and whichever thread completes that work completes the stage. The default answers now.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value by which the caller wants an answer
     */
    default CompletableFuture<Response> respond(Request request, long deadlineNanos) {
        return CompletableFuture.completedFuture(handle(request));
    }
}
