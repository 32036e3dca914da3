package io.lightbridge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.acl.Policy;
import io.lightbridge.acl.PolicyConfig;
import io.lightbridge.acl.PolicyStore;
import io.lightbridge.audit.AuditConfig;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.audit.AuditTrails;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Router;
import io.lightbridge.testing.TestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics scraped through the real pipeline (guarded by the metrics action) and parsed; values move with traffic. */
class MetricsTest {

    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    static final String GOOD = "{\"inputs\":[]}";

    @TempDir
    Path dir;

    /** Parses the text format into "name{k=v,...}" (labels sorted) → value. */
    static Map<String, Double> parse(String text) {
        var samples = new HashMap<String, Double>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            var m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            var labels = new TreeMap<String, String>();
            if (m.group(3) != null) {
                var l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.put(m.group(1) + labels, Double.parseDouble(m.group(4)));
        }
        return samples;
    }

    static Request scrape(String token) {
        return new Request("GET", "/metrics", "", Headers.of("Authorization", "Bearer " + token), "127.0.0.1", null);
    }

    @Test
    void valuesMoveAsRequestsFlow() throws Exception {
        var server = new TestServer();
        var metrics = new Metrics(MetricsConfig.DEFAULT);
        var depth = new AtomicInteger(3);
        var overloaded = new AtomicLong();
        var jwksRefreshes = new AtomicLong(1);
        metrics.gaugeQueueDepth(depth::get);
        metrics.countBridgeRejections(overloaded::get, () -> 0);
        metrics.countJwks(jwksRefreshes::get, () -> 0);
        Policy policy = Policy.compile(ConfigFile.of(Path.of("t.yaml"), TestServer.POLICY, ConfigFile.SECTIONS)
                .section("policy", PolicyConfig.class, null));
        try (AuditTrail audit = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), ServerLog.NONE, metrics.auditMetrics())) {
            var pipeline = new Pipeline(Router.firstOf(metrics.router(), server.router), server.authenticator, policy, audit,
                    Clock.systemUTC(), ServerLog.NONE, metrics.callMetrics());

            Response first = pipeline.handle(scrape("ann;;ml-admin"));
            assertEquals(200, first.status(), first.bodyText());
            assertTrue(first.header("Content-Type").startsWith("text/plain; version=0.0.4"), first.header("Content-Type"));
            var before = parse(first.bodyText());
            assertEquals(3.0, before.get("lightbridge_queue_depth{}"));

            for (int i = 0; i < 3; i++) {
                pipeline.handle(TestServer.infer(TestServer.MODEL, "dana;data-science;", GOOD, "ok-" + i));
            }
            pipeline.handle(TestServer.infer(TestServer.MODEL, "carl;ml-consumers;", GOOD, "denied"));
            pipeline.handle(TestServer.infer(TestServer.MODEL, "expired", GOOD, "expired"));
            pipeline.handle(TestServer.infer(TestServer.MODEL, null, GOOD, "anonymous"));
            assertEquals(403, pipeline.handle(scrape("dana;data-science;")).status(), "metrics need the metrics action");
            metrics.observeQueueWait(2_000_000);
            depth.set(7);
            overloaded.addAndGet(2);
            jwksRefreshes.incrementAndGet();

            var after = parse(pipeline.handle(scrape("ann;;ml-admin")).bodyText());
            String ok = "{model=fraud-detector, status=200, version=3}";
            assertEquals(3.0, after.get("lightbridge_requests_total" + ok) - before.getOrDefault("lightbridge_requests_total" + ok, 0.0));
            assertEquals(1.0, after.get("lightbridge_requests_total{model=fraud-detector, status=403, version=}"));
            assertEquals(1.0, after.get("lightbridge_requests_total{model=*, status=403, version=}"), "the refused scrape");
            assertEquals(1.0, after.get("lightbridge_authentication_failures_total{reason=expired}"));
            assertEquals(1.0, after.get("lightbridge_authentication_failures_total{reason=missing_token}"));
            assertEquals(1.0, after.get("lightbridge_authorization_denials_total{action=infer, rule=default deny}"));
            assertEquals(1.0, after.get("lightbridge_authorization_denials_total{action=metrics, rule=default deny}"));
            assertEquals(3.0, after.get("lightbridge_inference_duration_seconds_count{model=fraud-detector}"));
            assertEquals(6.0, after.get("lightbridge_request_duration_seconds_count{model=fraud-detector}"));
            assertTrue(after.get("lightbridge_request_duration_seconds_sum{model=fraud-detector}") > 0);
            assertEquals(7.0, after.get("lightbridge_queue_depth{}"));
            assertEquals(1.0, after.get("lightbridge_queue_wait_seconds_count{}"));
            assertEquals(1.0, after.get("lightbridge_queue_wait_seconds_bucket{le=0.0025}"));
            assertEquals(0.0, after.get("lightbridge_queue_wait_seconds_bucket{le=0.001}"));
            assertEquals(2.0, after.get("lightbridge_bridge_rejections_total{status=503}"));
            assertEquals(0.0, after.get("lightbridge_bridge_rejections_total{status=504}"));
            assertEquals(2.0, after.get("lightbridge_jwks_refreshes_total{}"));
            // 6 model calls + the refused scrape + the first scrape; the scrape in flight is audited after it is rendered
            assertEquals(8.0, after.get("lightbridge_audit_records_total{}"));
            assertEquals(after.get("lightbridge_audit_batches_total{}"), after.get("lightbridge_audit_write_seconds_count{}"));
            assertTrue(after.get("lightbridge_audit_lag_seconds_count{}") >= 1);
        }
    }

    @Test
    void otherMethodsAndPathsAreNotServed() {
        var router = new Metrics(MetricsConfig.DEFAULT).router();
        assertEquals(new io.lightbridge.pipeline.Route.MethodNotAllowed("GET"),
                router.route(new Request("POST", "/metrics", "", null, null, null)));
        assertEquals(io.lightbridge.pipeline.Route.NOT_FOUND, router.route(new Request("GET", "/metricsx", "", null, null, null)));
        var off = new Metrics(new MetricsConfig(false, null, null)).router();
        assertEquals(io.lightbridge.pipeline.Route.NOT_FOUND, off.route(new Request("GET", "/metrics", "", null, null, null)));
    }

    @Test
    void modelLabelsAreBounded() {
        var metrics = new Metrics(new MetricsConfig(true, null, 2));
        for (String model : new String[] {"a", "b", "c", "d"}) {
            metrics.callMetrics().completed(model, null, 404, -1, 1000);
        }
        var samples = parse(metrics.scrape().bodyText());
        assertEquals(1.0, samples.get("lightbridge_requests_total{model=a, status=404, version=}"));
        assertEquals(2.0, samples.get("lightbridge_requests_total{model=other, status=404, version=}"));
    }

    @Test
    void modelEventsAreCountedOnTheSeriesBoundWhenAVersionLoads() {
        var metrics = new Metrics(MetricsConfig.DEFAULT);
        var listener = metrics.modelListener();
        listener.loaded("m", "1");
        var cached = listener.calls("m", "1");
        var uncached = listener.calls("n", "1");
        cached.batchRun(2, 5, 1_000);
        cached.batchRun(1, 1, 1_000);
        cached.cacheLookup(true);
        cached.cacheLookup(false);
        cached.cacheLookup(false);
        uncached.batchRun(1, 3, 1_000);
        var samples = parse(metrics.scrape().bodyText());
        assertEquals(1.0, samples.get("lightbridge_model_loads_total{model=m}"));
        assertEquals(2.0, samples.get("lightbridge_batch_rows_count{model=m}"));
        assertEquals(6.0, samples.get("lightbridge_batch_rows_sum{model=m}"));
        assertEquals(3.0, samples.get("lightbridge_batch_rows_sum{model=n}"));
        assertEquals(1.0, samples.get("lightbridge_prediction_cache_lookups_total{model=m, result=hit}"));
        assertEquals(2.0, samples.get("lightbridge_prediction_cache_lookups_total{model=m, result=miss}"));
        assertFalse(samples.keySet().stream().anyMatch(k -> k.startsWith("lightbridge_prediction_cache_lookups_total{model=n")),
                "a model without cache lookups shows no cache series: " + samples.keySet());
    }
}
