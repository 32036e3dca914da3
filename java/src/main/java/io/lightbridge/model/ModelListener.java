package io.lightbridge.model;

/**
 * Hooks for metrics: called on the request and loader threads, so implementations must be fast and thread-safe
 * and must not throw. Every method defaults to doing nothing.
 */
public interface ModelListener {

    /** One model call finished; {@code nanos} covers validation, cache, queueing and the run. */
    default void inferred(String model, String version, long nanos, boolean ok) {}

    /** ONNX Runtime ran one batch of {@code requests} calls holding {@code rows} rows in all. */
    default void batchRun(String model, String version, int requests, int rows, long runNanos) {}

    default void cacheLookup(String model, String version, boolean hit) {}

    default void loaded(String model, String version) {}

    default void loadFailed(String model, String version, String reason) {}

    default void unloaded(String model, String version) {}

    ModelListener NONE = new ModelListener() {};

    /** Calls {@code a} then {@code b}. */
    static ModelListener both(ModelListener a, ModelListener b) {
        return new ModelListener() {
            @Override
            public void inferred(String model, String version, long nanos, boolean ok) {
                a.inferred(model, version, nanos, ok);
                b.inferred(model, version, nanos, ok);
            }

            @Override
            public void batchRun(String model, String version, int requests, int rows, long runNanos) {
                a.batchRun(model, version, requests, rows, runNanos);
                b.batchRun(model, version, requests, rows, runNanos);
            }

            @Override
            public void cacheLookup(String model, String version, boolean hit) {
                a.cacheLookup(model, version, hit);
                b.cacheLookup(model, version, hit);
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
