package io.lightbridge.model;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Per-model counters kept by the repository; a metrics exporter reads {@link #snapshot()}. Thread-safe. */
public final class ModelStats implements ModelListener {

    /** Totals for one model since start. Latency and run time are sums in nanoseconds. */
    public record Counters(long inferences, long failures, long latencyNanos, long batches, long batchedRequests,
                           long batchedRows, long runNanos, long cacheHits, long cacheMisses, long loads,
                           long loadFailures, long unloads) {}

    private static final class Adders implements CallEvents {
        final LongAdder inferences = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder latencyNanos = new LongAdder();
        final LongAdder batches = new LongAdder();
        final LongAdder batchedRequests = new LongAdder();
        final LongAdder batchedRows = new LongAdder();
        final LongAdder runNanos = new LongAdder();
        final LongAdder cacheHits = new LongAdder();
        final LongAdder cacheMisses = new LongAdder();
        final LongAdder loads = new LongAdder();
        final LongAdder loadFailures = new LongAdder();
        final LongAdder unloads = new LongAdder();

        @Override
        public void inferred(long nanos, boolean ok) {
            inferences.increment();
            latencyNanos.add(nanos);
            if (!ok) {
                failures.increment();
            }
        }

        @Override
        public void batchRun(int requests, int rows, long runNanos) {
            batches.increment();
            batchedRequests.add(requests);
            batchedRows.add(rows);
            this.runNanos.add(runNanos);
        }

        @Override
        public void cacheLookup(boolean hit) {
            (hit ? cacheHits : cacheMisses).increment();
        }

        Counters read() {
            return new Counters(inferences.sum(), failures.sum(), latencyNanos.sum(), batches.sum(),
                    batchedRequests.sum(), batchedRows.sum(), runNanos.sum(), cacheHits.sum(), cacheMisses.sum(),
                    loads.sum(), loadFailures.sum(), unloads.sum());
        }
    }

    private final Map<String, Adders> byModel = new ConcurrentHashMap<>();

    private Adders of(String model) {
        return byModel.computeIfAbsent(model, m -> new Adders());
    }

    /** The counters of every model seen so far, by model name. */
    public Map<String, Counters> snapshot() {
        var out = new TreeMap<String, Counters>();
        byModel.forEach((k, v) -> out.put(k, v.read()));
        return out;
    }

    /** The counters of one model (all zero when it was never seen). */
    public Counters counters(String model) {
        return of(model).read();
    }

    @Override
    public CallEvents calls(String model, String version) {
        return of(model);
    }

    @Override
    public void loaded(String model, String version) {
        of(model).loads.increment();
    }

    @Override
    public void loadFailed(String model, String version, String reason) {
        of(model).loadFailures.increment();
    }

    @Override
    public void unloaded(String model, String version) {
        of(model).unloads.increment();
    }
}
