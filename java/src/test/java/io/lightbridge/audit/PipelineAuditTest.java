package io.lightbridge.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.acl.Action;
import io.lightbridge.acl.Policy;
import io.lightbridge.acl.PolicyConfig;
import io.lightbridge.acl.PolicyStore;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;
import io.lightbridge.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mixed calls through the real pipeline and a sync audit trail: one record each, fields right, chain intact. */
class PipelineAuditTest {

    static final String GOOD_BODY = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

    enum Kind { ALLOWED, DENIED, UNAUTHENTICATED, MALFORMED, UNKNOWN_MODEL }

    @TempDir
    Path dir;

    final List<String> log = new CopyOnWriteArrayList<>();
    final ServerLog serverLog = ServerLog.lines(log::add);

    static Policy policy() throws Exception {
        var file = ConfigFile.of(Path.of("test.yaml"), TestServer.POLICY, ConfigFile.SECTIONS);
        return Policy.compile(file.section("policy", PolicyConfig.class, null));
    }

    static Request request(Kind kind, String id) {
        return switch (kind) {
            case ALLOWED -> TestServer.infer(TestServer.MODEL, "dana;data-science;", GOOD_BODY, id);
            case DENIED -> TestServer.infer(TestServer.MODEL, "carl;ml-consumers;", GOOD_BODY, id);
            case UNAUTHENTICATED -> TestServer.infer(TestServer.MODEL, "expired", GOOD_BODY, id);
            case MALFORMED -> TestServer.infer(TestServer.MODEL, "dana;data-science;", "not json", id);
            case UNKNOWN_MODEL -> TestServer.infer("no-such-model", "dana;data-science;", GOOD_BODY, id);
        };
    }

    @Test
    void aModelHandlerThatThrowsStillLeavesItsRecord() throws Exception {
        var server = new TestServer();
        Router throwing = request -> new Route.Guarded(Action.INFER, TestServer.MODEL, null, (r, p) -> {
            throw new IllegalStateException("handler bug");
        });
        try (AuditTrail audit = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE)) {
            var pipeline = new Pipeline(throwing, server.authenticator, policy(), audit, Clock.systemUTC(), serverLog);
            Response r = pipeline.handle(request(Kind.ALLOWED, "req-throws"));
            assertEquals(500, r.status());
        }
        List<String> lines = Files.readAllLines(dir.resolve("audit.log"));
        assertEquals(1, lines.size(), "a failed model call is audited too");
        JsonNode record = new ObjectMapper().readTree(lines.getFirst());
        assertEquals("req-throws", record.get("request_id").asText());
        assertEquals(500, record.get("status").asInt());
        assertEquals("allow", record.get("decision").asText());
        assertEquals("internal", record.get("error_class").asText());
        assertTrue(log.stream().anyMatch(l -> l.contains("req-throws") && l.contains("handler bug")), log::toString);
    }

    @Test
    void everyCallHasExactlyOneRecordAndTheChainVerifies() throws Exception {
        var server = new TestServer();
        int n = 200;
        var expected = new ConcurrentHashMap<String, Kind>();
        var statuses = new ConcurrentHashMap<String, Integer>();
        try (AuditTrail audit = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE);
             var pool = Executors.newFixedThreadPool(8)) {
            var pipeline = new Pipeline(server.router, server.authenticator, policy(), audit, Clock.systemUTC(), serverLog);
            var futures = new ArrayList<Future<?>>();
            for (int i = 0; i < n; i++) {
                Kind kind = Kind.values()[i % Kind.values().length];
                String id = "req-" + i;
                expected.put(id, kind);
                futures.add(pool.submit(() -> {
                    Response r = pipeline.handle(request(kind, id));
                    assertEquals(id, r.header("X-Request-Id"));
                    statuses.put(id, r.status());
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        Path file = dir.resolve("audit.log");
        List<String> lines = Files.readAllLines(file);
        assertEquals(n, lines.size(), "one record per call");
        var result = AuditVerifier.verify(List.of(file));
        assertTrue(result.intact(), result.problem());
        assertEquals(n, result.lastSeq());

        var json = new ObjectMapper();
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : lines) {
            JsonNode node = json.readTree(line);
            assertNull(byId.put(node.get("request_id").asText(), node), "request id twice: " + line);
            assertTrue(node.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"), line);
            assertEquals("infer", node.get("action").asText());
            assertEquals("192.0.2.7", node.get("remote_addr").asText());
            assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", node.get("traceparent").asText());
            assertTrue(node.get("latency_us").asLong() >= 0);
            assertEquals(statuses.get(node.get("request_id").asText()).intValue(), node.get("status").asInt(), line);
            assertTrue(!line.contains("Bearer") && !line.contains("\"inputs\"") && !line.contains("0.123456789"),
                    "no token, inputs or outputs: " + line);
        }
        assertEquals(expected.keySet(), byId.keySet());
        String goodSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(GOOD_BODY.getBytes(StandardCharsets.UTF_8)));
        for (var e : expected.entrySet()) {
            JsonNode r = byId.get(e.getKey());
            switch (e.getValue()) {
                case ALLOWED -> {
                    assertEquals(200, r.get("status").asInt());
                    assertEquals("allow", r.get("decision").asText());
                    assertEquals("ds-use", r.get("rule_id").asText());
                    assertEquals("dana", r.get("subject").asText());
                    assertEquals("client-dana", r.get("client_id").asText());
                    assertEquals(TestServer.ISSUER, r.get("issuer").asText());
                    assertEquals("jti-dana", r.get("jti").asText());
                    assertEquals(TestServer.MODEL, r.get("model").asText());
                    assertEquals(TestServer.VERSION, r.get("model_version").asText());
                    assertEquals(goodSha, r.get("body_sha256").asText());
                    assertTrue(r.get("error_class").isNull());
                }
                case DENIED -> {
                    assertEquals(403, r.get("status").asInt());
                    assertEquals("deny", r.get("decision").asText());
                    assertEquals("default deny", r.get("rule_id").asText());
                    assertEquals("carl", r.get("subject").asText());
                    assertEquals("forbidden", r.get("error_class").asText());
                    assertTrue(r.get("model_version").isNull());
                }
                case UNAUTHENTICATED -> {
                    assertEquals(401, r.get("status").asInt());
                    assertEquals("deny", r.get("decision").asText());
                    assertTrue(r.get("subject").isNull() && r.get("rule_id").isNull());
                    assertEquals("auth:expired", r.get("error_class").asText());
                }
                case MALFORMED -> {
                    assertEquals(400, r.get("status").asInt());
                    assertEquals("allow", r.get("decision").asText());
                    assertEquals("bad_request", r.get("error_class").asText());
                    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest("not json".getBytes(StandardCharsets.UTF_8))), r.get("body_sha256").asText());
                }
                case UNKNOWN_MODEL -> {
                    assertEquals(404, r.get("status").asInt());
                    assertEquals("no-such-model", r.get("model").asText());
                    assertEquals("model_not_found", r.get("error_class").asText());
                }
            }
        }
        assertEquals(n / 5 * 3, server.modelCalls.get(), "denied and unauthenticated calls never reach the model");
    }
}
