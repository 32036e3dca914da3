package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole product through a real lighttpd: dev-issuer bearer tokens, the run config's policy, sync audit, the
 * committed sample models. Every guarded call's audit record is checked as it is answered; at the end the number of
 * records equals the number of guarded calls and the chain verifies.
 */
class GuardedCallsIT {

    private static final List<String> DATA_SCIENCE = List.of("data-science");
    private static Deployment deployment;
    private static LighttpdServer server;
    private static String alice;
    private static final List<String> auditedRequestIds = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.create("guarded");
        server = Deployment.startReady(deployment.config("guarded", Deployment.RUN_POLICY));
        alice = deployment.token("alice", DATA_SCIENCE, List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            List<JsonNode> records = deployment.auditRecords();
            Set<String> onDisk = new HashSet<>();
            records.forEach(r -> onDisk.add(r.get("request_id").asText()));
            assertEquals(auditedRequestIds.size(), records.size(), "one audit record per guarded call, no more");
            assertEquals(new HashSet<>(auditedRequestIds), onDisk, "audited request ids");
            assertEquals(records.size(), deployment.assertChainIntact().records());
        } finally {
            server.close();
        }
    }

    /** A guarded call: answered, and exactly one audit record with its request id, subject, status and model. */
    private static HttpResponse<String> call(String method, String path, String body, String token,
                                             String subject, String model) throws Exception {
        HttpResponse<String> response = Deployment.send(server, method, path, body, token);
        deployment.assertAudited(response, subject, model);
        auditedRequestIds.add(Deployment.requestId(response));
        return response;
    }

    private static String v2Body(JsonNode reference) throws Exception {
        return "{\"id\":\"ref\",\"inputs\":[{\"name\":" + reference.get("input") + ",\"datatype\":\"FP32\",\"shape\":"
                + reference.get("input_shape") + ",\"data\":" + reference.get("inputs") + "}]}";
    }

    @Test
    void readyOnceModelsLoadedAndOpenRoutesAreNotAudited() throws Exception {
        int before = deployment.auditRecords().size();
        HttpResponse<String> ready = server.get("/v2/health/ready");
        assertEquals(200, ready.statusCode());
        assertTrue(Deployment.JSON.readTree(ready.body()).get("ready").asBoolean(), ready.body());
        assertEquals(before, deployment.auditRecords().size(), "health probes are not guarded calls");
    }

    @Test
    void v2InferOfBothModelsEqualsTheSavedReference() throws Exception {
        for (String model : List.of("breast-cancer", "digits")) {
            JsonNode reference = Deployment.reference(model);
            HttpResponse<String> response = call("POST", "/v2/models/" + model + "/infer", v2Body(reference), alice, "alice", model);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode answer = Deployment.JSON.readTree(response.body());
            assertEquals("ref", answer.get("id").asText());
            assertEquals("1", answer.get("model_version").asText());
            JsonNode output = answer.get("outputs").get(0);
            assertEquals(reference.get("output").asText(), output.get("name").asText());
            Deployment.assertMatchesReference(model, reference, Deployment.flatten(output.get("data")));
            JsonNode record = deployment.auditRecords().stream()
                    .filter(r -> r.get("request_id").asText().equals(Deployment.requestId(response))).findFirst().orElseThrow();
            assertEquals("1", record.get("model_version").asText());
            assertEquals("allow", record.get("decision").asText());
            assertEquals("data-science-use", record.get("rule_id").asText());
            assertEquals("infer", record.get("action").asText());
        }
    }

    @Test
    void mlflowInvocationsOnBothPathsEqualTheSavedReference() throws Exception {
        JsonNode reference = Deployment.reference("breast-cancer");
        String instances = "{\"instances\":" + reference.get("inputs") + "}";
        for (String path : List.of("/invocations", "/serving-endpoints/breast-cancer/invocations")) {
            HttpResponse<String> response = call("POST", path, instances, alice, "alice", "breast-cancer");
            assertEquals(200, response.statusCode(), () -> path + ": " + response.body());
            JsonNode predictions = Deployment.JSON.readTree(response.body()).get("predictions");
            Deployment.assertMatchesReference(path, reference, Deployment.flatten(predictions));
        }
        JsonNode digits = Deployment.reference("digits");
        HttpResponse<String> response = call("POST", "/serving-endpoints/digits/invocations",
                "{\"instances\":" + digits.get("inputs") + "}", alice, "alice", "digits");
        assertEquals(200, response.statusCode(), response.body());
        Deployment.assertMatchesReference("digits", digits,
                Deployment.flatten(Deployment.JSON.readTree(response.body()).get("predictions")));
    }

    @Test
    void callersRequestIdAndTraceparentReachTheAuditRecord() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpResponse<String> response = Deployment.send(server, "POST", "/v2/models/breast-cancer/infer",
                v2Body(Deployment.reference("breast-cancer")), alice, "X-Request-Id", "caller-chosen-42", "traceparent", traceparent);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("caller-chosen-42", Deployment.requestId(response));
        JsonNode record = deployment.assertAudited(response, "alice", "breast-cancer");
        auditedRequestIds.add("caller-chosen-42");
        assertEquals(traceparent, record.get("traceparent").asText());
        assertEquals("127.0.0.1", record.get("remote_addr").asText());
        assertEquals(Deployment.sha256(v2Body(Deployment.reference("breast-cancer"))), record.get("body_sha256").asText());
        assertTrue(!deployment.auditLogText().contains(alice), "the token never reaches the audit log");
    }

    @Test
    void modelMetadataNamesInputsOutputsAndVersion() throws Exception {
        HttpResponse<String> response = call("GET", "/v2/models/breast-cancer", null, alice, "alice", "breast-cancer");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode metadata = Deployment.JSON.readTree(response.body());
        assertEquals("breast-cancer", metadata.get("name").asText());
        assertTrue(metadata.get("versions").toString().contains("\"1\""), metadata::toString);
        JsonNode input = metadata.get("inputs").get(0);
        assertEquals("input", input.get("name").asText());
        assertEquals("FP32", input.get("datatype").asText());
        assertEquals("[-1,30]", input.get("shape").toString());
        assertEquals("probability", metadata.get("outputs").get(0).get("name").asText());
    }

    @Test
    void noTokenIsA401ChallengeWithoutErrorCode() throws Exception {
        HttpResponse<String> response = call("POST", "/v2/models/breast-cancer/infer", "{}", null, null, "breast-cancer");
        assertEquals(401, response.statusCode());
        assertEquals("Bearer realm=\"lightbridge\"", response.headers().firstValue("WWW-Authenticate").orElse(null));
        assertJsonError(response);
    }

    @Test
    void expiredAndForgedTokensAre401InvalidToken() throws Exception {
        String expired = deployment.expiredToken("alice", DATA_SCIENCE);
        String[] parts = alice.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        for (String token : List.of(expired, forged, "not-a-jwt")) {
            HttpResponse<String> response = call("POST", "/v2/models/breast-cancer/infer", "{}", token, null, "breast-cancer");
            assertEquals(401, response.statusCode(), response.body());
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
            assertTrue(challenge.startsWith("Bearer realm=\"lightbridge\", error=\"invalid_token\""), challenge);
            assertTrue(!challenge.contains(token) && !response.body().contains(token), "the token is never echoed");
            assertJsonError(response);
        }
    }

    @Test
    void callerOutsideDataScienceIs403NamingTheMissingPermission() throws Exception {
        String bob = deployment.token("bob", List.of("marketing"), List.of());
        HttpResponse<String> response = call("POST", "/v2/models/digits/infer", "{}", bob, "bob", "digits");
        assertEquals(403, response.statusCode());
        assertTrue(assertJsonError(response).contains("infer on digits"), response.body());
        JsonNode record = deployment.auditRecords().stream()
                .filter(r -> r.get("request_id").asText().equals(Deployment.requestId(response))).findFirst().orElseThrow();
        assertEquals("deny", record.get("decision").asText());
    }

    @Test
    void metricsNeedTheAdminRoleAndCountersMove() throws Exception {
        HttpResponse<String> denied = call("GET", "/metrics", null, alice, "alice", "*");
        assertEquals(403, denied.statusCode());
        assertTrue(assertJsonError(denied).contains("metrics"), denied.body());

        String carol = deployment.token("carol", List.of(), List.of("ml-admin"));
        HttpResponse<String> first = call("GET", "/metrics", null, carol, "carol", "*");
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), first.headers()::toString);
        assertTrue(first.body().contains("# TYPE lightbridge_requests_total counter"), first.body());

        JsonNode reference = Deployment.reference("breast-cancer");
        for (int i = 0; i < 3; i++)
            assertEquals(200, call("POST", "/v2/models/breast-cancer/infer", v2Body(reference), alice, "alice", "breast-cancer").statusCode());
        call("POST", "/v2/models/breast-cancer/infer", "{}", null, null, "breast-cancer");

        HttpResponse<String> second = call("GET", "/metrics", null, carol, "carol", "*");
        assertEquals(200, second.statusCode());
        String ok = "lightbridge_requests_total\\{[^}]*model=\"breast-cancer\"[^}]*status=\"200\"[^}]*}";
        assertEquals(3, sum(second.body(), ok) - sum(first.body(), ok), "breast-cancer 200s counted");
        String missing = "lightbridge_authentication_failures_total\\{[^}]*reason=\"missing_token\"[^}]*}";
        assertEquals(1, sum(second.body(), missing) - sum(first.body(), missing), "missing tokens counted");
        // the first scrape's own record and the five calls since reached disk before the second scrape
        String audited = "lightbridge_audit_records_total";
        assertTrue(sum(second.body(), audited) - sum(first.body(), audited) >= 5, second::body);
    }

    /** The sum of every sample whose name-and-labels match. */
    private static double sum(String exposition, String sample) {
        Matcher m = Pattern.compile("(?m)^" + sample + "\\s+(\\S+)$").matcher(exposition);
        double total = 0;
        while (m.find()) total += Double.parseDouble(m.group(1));
        return total;
    }

    private static String assertJsonError(HttpResponse<String> response) throws Exception {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                response.headers()::toString);
        JsonNode body = Deployment.JSON.readTree(response.body());
        assertTrue(body.has("error"), response.body());
        return body.get("error").asText();
    }
}
