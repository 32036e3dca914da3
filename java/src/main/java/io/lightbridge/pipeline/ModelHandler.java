package io.lightbridge.pipeline;

import io.lightbridge.auth.Principal;

/** Runs a guarded call once identity and policy allowed it. Thread-safe; never throws for bad input. */
@FunctionalInterface
public interface ModelHandler {
    Outcome handle(Request request, Principal principal);

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
