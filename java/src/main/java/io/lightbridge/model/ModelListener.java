package io.lightbridge.model;

/**
 * Hooks for metrics: called on the request, batch and loader threads, so implementations must be fast and thread-safe
 * and must not throw. Every method defaults to doing nothing.
 */
public interface ModelListener {

    /**
     * The events of one loaded version's calls. A version asks for them once, when it loads, so that a call (32 of them in a
     * row where a batch completes) finds its counters without looking the model up by name.
     */
    interface CallEvents {
        /** One model call finished; {@code nanos} covers validation, cache, queueing and the run. */
        default void inferred(long nanos, boolean ok) {}

        /** ONNX Runtime ran one batch of {@code requests} calls holding {@code rows} rows in all. */
        default void batchRun(int requests, int rows, long runNanos) {}

        default void cacheLookup(boolean hit) {}

        CallEvents NONE = new CallEvents() {};
    }

    /** The call events of {@code model} version {@code version}; asked once per loaded version. */
    default CallEvents calls(String model, String version) {
        return CallEvents.NONE;
    }

    default void loaded(String model, String version) {}

    default void loadFailed(String model, String version, String reason) {}

    default void unloaded(String model, String version) {}

    ModelListener NONE = new ModelListener() {};

    /** Calls {@code a} then {@code b}. */
    static ModelListener both(ModelListener a, ModelListener b) {
        return new ModelListener() {
            @Override
            public CallEvents calls(String model, String version) {
                CallEvents first = a.calls(model, version);
                CallEvents second = b.calls(model, version);
                if (second == CallEvents.NONE) {
                    return first;
                }
                if (first == CallEvents.NONE) {
                    return second;
                }
                return new CallEvents() {
                    @Override
                    public void inferred(long nanos, boolean ok) {
                        first.inferred(nanos, ok);
                        second.inferred(nanos, ok);
                    }

                    @Override
                    public void batchRun(int requests, int rows, long runNanos) {
                        first.batchRun(requests, rows, runNanos);
                        second.batchRun(requests, rows, runNanos);
                    }

                    @Override
                    public void cacheLookup(boolean hit) {
                        first.cacheLookup(hit);
                        second.cacheLookup(hit);
                    }
                };
            }

            @Override
            public void loaded(String model, String version) {
                a.loaded(model, version);
                b.loaded(model, version);
            }

            @Override
            public void loadFailed(String model, String version, String reason) {
                a.loadFailed(model, version, reason);
                b.loadFailed(model, version, reason);
            }

            @Override
            public void unloaded(String model, String version) {
                a.unloaded(model, version);
                b.unloaded(model, version);
            }
        };
    }
}
