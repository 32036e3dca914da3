package io.lightbridge.metrics;

import io.lightbridge.acl.Action;
import io.lightbridge.audit.AuditMetrics;
import io.lightbridge.model.ModelListener;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.ModelHandler;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Lightbridge's Prometheus metrics, in a registry of their own, and the guarded {@code GET /metrics} route.
 * Other components report through {@link #callMetrics()} and {@link #auditMetrics()}, or hand over suppliers
 * of the counters they already keep ({@link #gaugeQueueDepth}, {@link #countBridgeRejections},
 * {@link #countJwks}); those are read only when scraped.
 */
public final class Metrics {
    private static final double[] LATENCY_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
    private static final double NANOS_PER_SECOND = 1e9;
    private static final String[] STATUS = new String[600];

    static {
        for (int i = 100; i < STATUS.length; i++) {
            STATUS[i] = Integer.toString(i);
        }
    }

    private final MetricsConfig config;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final BoundedLabels models;
    private final BoundedLabels versions;
    private final BoundedLabels reasons = new BoundedLabels(64);
    private final BoundedLabels rules = new BoundedLabels(2_000);

    private final Counter requests;
    private final Histogram total;
    private final Histogram inference;
    private final Histogram queueWait;
    private final Counter authFailures;
    private final Counter denials;
    private final Histogram auditWrite;
    private final Histogram auditLag;
    private final Counter auditRecords;
    private final Counter auditBatches;
    private final Counter auditFailures;
    private final Counter syslogFailures;
    private final Counter modelLoads;
    private final Counter modelLoadFailures;
    private final Histogram batchRows;
    private final Counter cacheLookups;
    private final ConcurrentHashMap<String, ModelSeries> series = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CounterDataPoint> authFailuresByReason = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicReferenceArray<CounterDataPoint>> denialsByRule = new ConcurrentHashMap<>();

    /**
     * One model's data points, held so that a request looks them up with plain map reads instead of
     * {@code labelValues(...)} (which builds a label list per call). Versions are bounded like models.
     */
    private final class ModelSeries {
        private final String model;
        private final DistributionDataPoint total;
        private final DistributionDataPoint inference;
        private final ConcurrentHashMap<String, AtomicReferenceArray<CounterDataPoint>> byVersion = new ConcurrentHashMap<>();

        ModelSeries(String model) {
            this.model = model;
            this.total = Metrics.this.total.labelValues(model);
            this.inference = Metrics.this.inference.labelValues(model);
        }

        CounterDataPoint requests(String version, int status) {
            if (status < 100 || status >= STATUS.length) {
                return Metrics.this.requests.labelValues(model, version, Integer.toString(status));
            }
            var points = byVersion.get(version);
            if (points == null) {
                points = byVersion.computeIfAbsent(version, v -> new AtomicReferenceArray<>(STATUS.length));
            }
            CounterDataPoint point = points.get(status);
            if (point == null) {
                point = Metrics.this.requests.labelValues(model, version, STATUS[status]);
                points.set(status, point);
            }
            return point;
        }
    }

    public Metrics(MetricsConfig config) {
        this.config = config;
        this.models = new BoundedLabels(config.maxModels());
        this.versions = new BoundedLabels(config.maxModels());
        requests = Counter.builder().name("lightbridge_requests_total")
                .help("Guarded calls by model, model version and HTTP status").labelNames("model", "version", "status")
                .withoutExemplars().register(registry);
        total = latency("lightbridge_request_duration_seconds", "Time from routing to response, audit included", "model");
        inference = latency("lightbridge_inference_duration_seconds", "Time in the model handler", "model");
        queueWait = latency("lightbridge_queue_wait_seconds", "Time a request waited for a worker thread");
        authFailures = Counter.builder().name("lightbridge_authentication_failures_total")
                .help("Requests without a trusted principal, by reason").labelNames("reason")
                .withoutExemplars().register(registry);
        denials = Counter.builder().name("lightbridge_authorization_denials_total")
                .help("Authenticated calls the policy denied, by action and deciding rule").labelNames("action", "rule")
                .withoutExemplars().register(registry);
        auditWrite = latency("lightbridge_audit_write_seconds", "Write and fsync of one audit batch (group commit)");
        auditLag = latency("lightbridge_audit_lag_seconds", "Age of the oldest record of a batch when it reached disk");
        auditRecords = Counter.builder().name("lightbridge_audit_records_total").help("Audit records on disk")
                .withoutExemplars().register(registry);
        auditBatches = Counter.builder().name("lightbridge_audit_batches_total")
                .help("Audit fsyncs; records/batches is the group-commit factor").withoutExemplars().register(registry);
        auditFailures = Counter.builder().name("lightbridge_audit_write_failures_total")
                .help("Audit batches that could not be written").withoutExemplars().register(registry);
        syslogFailures = Counter.builder().name("lightbridge_audit_syslog_failures_total")
                .help("Audit records the syslog socket refused").withoutExemplars().register(registry);
        modelLoads = Counter.builder().name("lightbridge_model_loads_total")
                .help("Model versions loaded and marked ready, by model").labelNames("model")
                .withoutExemplars().register(registry);
        modelLoadFailures = Counter.builder().name("lightbridge_model_load_failures_total")
                .help("Model versions that failed to load (the previous version keeps serving), by model")
                .labelNames("model").withoutExemplars().register(registry);
        batchRows = Histogram.builder().name("lightbridge_batch_rows")
                .help("Rows per ONNX Runtime run (dynamic batching merges concurrent calls)").labelNames("model")
                .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256).withoutExemplars()
                .register(registry);
        cacheLookups = Counter.builder().name("lightbridge_prediction_cache_lookups_total")
                .help("Prediction cache lookups by model and result").labelNames("model", "result")
                .withoutExemplars().register(registry);
    }

    private Histogram latency(String name, String help, String... labels) {
        return Histogram.builder().name(name).help(help).unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
                .labelNames(labels).classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars()
                .register(registry);
    }

    /** The bridge's queue length, read at scrape time. */
    public void gaugeQueueDepth(IntSupplier depth) {
        GaugeWithCallback.builder().name("lightbridge_queue_depth").help("Requests waiting for a worker thread")
                .callback(cb -> cb.call(depth.getAsInt())).register(registry);
    }

    /** The bridge's fast refusals: 503 (queue full) and 504 (deadline passed while queued). */
    public void countBridgeRejections(LongSupplier overloaded503, LongSupplier timedOut504) {
        CounterWithCallback.builder().name("lightbridge_bridge_rejections_total")
                .help("Requests the bridge refused before the pipeline, by status").labelNames("status")
                .callback(cb -> {
                    cb.call(overloaded503.getAsLong(), "503");
                    cb.call(timedOut504.getAsLong(), "504");
                }).register(registry);
    }

    /** The identity component's JWKS refreshes and failed refreshes. */
    public void countJwks(LongSupplier refreshes, LongSupplier failures) {
        CounterWithCallback.builder().name("lightbridge_jwks_refreshes_total").help("JWKS fetches")
                .callback(cb -> cb.call(refreshes.getAsLong())).register(registry);
        CounterWithCallback.builder().name("lightbridge_jwks_refresh_failures_total").help("JWKS fetches that failed")
                .callback(cb -> cb.call(failures.getAsLong())).register(registry);
    }

    /** For the bridge: how long a request waited in the queue before a worker took it. */
    public void observeQueueWait(long nanos) {
        queueWait.observe(nanos / NANOS_PER_SECOND);
    }

    public CallMetrics callMetrics() {
        return calls;
    }

    public AuditMetrics auditMetrics() {
        return audit;
    }

    /** For the model repository: loads, load failures, batch sizes and cache lookups. */
    public ModelListener modelListener() {
        return modelEvents;
    }

    /** Serves the scrape path; owns no other path. */
    public Router router() {
        if (!config.enabled()) {
            return request -> Route.NOT_FOUND;
        }
        var route = new Route.Guarded(Action.METRICS, "*", null, (request, principal) -> ModelHandler.Outcome.of(scrape(), null));
        var notAllowed = new Route.MethodNotAllowed("GET");
        return request -> {
            if (!request.path().equals(config.path())) {
                return Route.NOT_FOUND;
            }
            return request.method().equals("GET") ? route : notAllowed;
        };
    }

    /** The current values in the Prometheus text format. */
    public Response scrape() {
        var out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return new Response(200, Headers.of("Content-Type", writer.getContentType()), out.toByteArray());
    }

    private final CallMetrics calls = new CallMetrics() {
        @Override
        public void authenticationFailed(String reason) {
            String r = reasons.of(reason);
            CounterDataPoint point = authFailuresByReason.get(r);
            if (point == null) {
                point = authFailuresByReason.computeIfAbsent(r, authFailures::labelValues);
            }
            point.inc();
        }

        @Override
        public void denied(Action action, String ruleId) {
            String rule = rules.of(ruleId);
            var points = denialsByRule.get(rule);
            if (points == null) {
                points = denialsByRule.computeIfAbsent(rule, x -> new AtomicReferenceArray<>(Action.values().length));
            }
            CounterDataPoint point = points.get(action.ordinal());
            if (point == null) {
                point = denials.labelValues(action.wireName(), rule);
                points.set(action.ordinal(), point);
            }
            point.inc();
        }

        @Override
        public void completed(String model, String version, int status, long handlerNanos, long totalNanos) {
            String m = models.of(model);
            ModelSeries s = series.get(m);
            if (s == null) {
                s = series.computeIfAbsent(m, ModelSeries::new);
            }
            s.requests(versions.of(version), status).inc();
            s.total.observe(totalNanos / NANOS_PER_SECOND);
            if (handlerNanos >= 0) {
                s.inference.observe(handlerNanos / NANOS_PER_SECOND);
            }
        }
    };

    private final AuditMetrics audit = new AuditMetrics() {
        @Override
        public void written(int records, long writeNanos, long lagNanos) {
            auditRecords.inc(records);
            auditBatches.inc();
            auditWrite.observe(writeNanos / NANOS_PER_SECOND);
            auditLag.observe(lagNanos / NANOS_PER_SECOND);
        }

        @Override
        public void writeFailed() {
            auditFailures.inc();
        }

        @Override
        public void syslogFailed() {
            syslogFailures.inc();
        }
    };

    private final ModelListener modelEvents = new ModelListener() {
        @Override
        public CallEvents calls(String model, String version) {
            String label = models.of(model);
            DistributionDataPoint rowsPerBatch = batchRows.labelValues(label);
            return new CallEvents() {
                // made at the first lookup, so that models without a cache show no cache series
                private volatile CounterDataPoint hits;
                private volatile CounterDataPoint misses;

                @Override
                public void batchRun(int requests, int rows, long runNanos) {
                    rowsPerBatch.observe(rows);
                }

                @Override
                public void cacheLookup(boolean hit) {
                    CounterDataPoint point = hit ? hits : misses;
                    if (point == null) { // a race makes the same point twice: labelValues returns the registered one
                        point = cacheLookups.labelValues(label, hit ? "hit" : "miss");
                        if (hit) {
                            hits = point;
                        } else {
                            misses = point;
                        }
                    }
                    point.inc();
                }
            };
        }

        @Override
        public void loaded(String model, String version) {
            modelLoads.labelValues(models.of(model)).inc();
        }

        @Override
        public void loadFailed(String model, String version, String reason) {
            modelLoadFailures.labelValues(models.of(model)).inc();
        }
    };
}
