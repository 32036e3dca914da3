package io.lightbridge.metrics;

import io.lightbridge.acl.Action;

/** What the request pipeline reports per guarded call. Implementations are thread-safe and cheap. */
public interface CallMetrics {

    void authenticationFailed(String reason);

    void denied(Action action, String ruleId);

    /**
     * @param handlerNanos time in the model handler (inference), or -1 when the handler was not called
     * @param totalNanos   time from routing to the response, audit write included
     */
    void completed(String model, String version, int status, long handlerNanos, long totalNanos);

    CallMetrics NONE = new CallMetrics() {
        @Override
        public void authenticationFailed(String reason) {}

        @Override
        public void denied(Action action, String ruleId) {}

        @Override
        public void completed(String model, String version, int status, long handlerNanos, long totalNanos) {}
    };
}
