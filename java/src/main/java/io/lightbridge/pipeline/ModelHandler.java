package io.lightbridge.pipeline;

import io.lightbridge.auth.Principal;
import java.util.concurrent.CompletableFuture;

/** Runs a guarded call once identity and policy allowed it. Thread-safe; never throws for bad input. */
@FunctionalInterface
public interface ModelHandler {
    Outcome handle(Request request, Principal principal);

    /**
     * The outcome as a stage: complete when the call is done now, pending while it waits (a batch), completed by
     * the thread that finishes the wait. The pipeline then finishes the request (audit, reply) on that thread. The
     * default answers now.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value: a call still waiting then is answered without running
     */
    default CompletableFuture<Outcome> handleAsync(Request request, Principal principal, long deadlineNanos) {
        return CompletableFuture.completedFuture(handle(request, principal));
    }

    /** A handler whose outcome may come later; its blocking form waits for it. */
    @FunctionalInterface
    interface Deferred extends ModelHandler {
        @Override
        CompletableFuture<Outcome> handleAsync(Request request, Principal principal, long deadlineNanos);

        /** Waits as long as the call takes. */
        @Override
        default Outcome handle(Request request, Principal principal) {
            return handleAsync(request, principal, System.nanoTime() + Long.MAX_VALUE / 2).join();
        }
    }

    /**
     * @param modelVersion the version that answered, for the audit record (null when none did)
     * @param errorClass   a short error class for the audit record (null on success)
     */
    record Outcome(Response response, String modelVersion, String errorClass) {
        public static Outcome of(Response response, String modelVersion) {
            return new Outcome(response, modelVersion, null);
        }

        public static Outcome failed(Response response, String errorClass) {
            return new Outcome(response, null, errorClass);
        }
    }
}
