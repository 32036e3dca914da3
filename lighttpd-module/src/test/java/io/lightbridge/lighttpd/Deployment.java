package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.audit.AuditVerifier;
import io.lightbridge.auth.dev.DevIssuer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A production-shaped deployment for the end-to-end tests: the dev issuer's key set trusted as an ordinary issuer,
 * the run config's policy, sync audit in a directory of its own and the committed sample models, served by a real
 * lighttpd on every route the module owns.
 */
final class Deployment {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path REPOSITORY = LighttpdServer.JAR.getParent().getParent().getParent().resolve("models/repository");

    /** The policy `./lightbridge run` writes. */
    static final String RUN_POLICY = """
            policy:
              watch-interval: 0s
              rules:
                - id: data-science-use
                  actions: [infer, metadata]
                  models: ["*"]
                  callers: { groups: [data-science] }
                - id: ml-admins
                  actions: [admin, metrics]
                  models: ["*"]
                  callers: { roles: [ml-admin] }
            """;

    private final Path state;
    private final DevIssuer issuer;

    private Deployment(Path state, DevIssuer issuer) {
        this.state = state;
        this.issuer = issuer;
    }

    /** A fresh state directory (dev issuer key, audit directory) under the failsafe work directory. */
    static Deployment create(String name) throws IOException {
        Path work = Path.of(System.getProperty("lightbridge.work.dir"));
        Files.createDirectories(work);
        Path state = Files.createTempDirectory(work, name + "-state-");
        return new Deployment(state, DevIssuer.open(state));
    }

    Path auditDir() {
        return state.resolve("audit");
    }

    Path auditLog() {
        return auditDir().resolve("audit.log");
    }

    /** The whole Lightbridge YAML file with the given policy section. */
    String yaml(String policySection) {
        return LighttpdServer.DEFAULT_SERVER_YAML + """
                identity:
                  issuers:
                    - issuer: %1$s
                      audiences: [lightbridge]
                      jwks-file: %2$s
                audit:
                  durability: sync
                  directory: %3$s
                metrics:
                  path: /metrics
                models:
                  repository: %4$s
                  serve: [breast-cancer, digits]
                  poll-interval: 60s
                  default-model: breast-cancer
                  max-intra-op-threads: 1
                """.formatted(DevIssuer.ISSUER, issuer.jwksFile(), auditDir(), REPOSITORY) + policySection;
    }

    LighttpdServer.Config config(String name, String policySection) {
        return LighttpdServer.config(name).serverYaml(yaml(policySection)).extraConf(
                "$HTTP[\"url\"] =~ \"^/(invocations|serving-endpoints|metrics)(/|$)\" { lightbridge.activate = \"enable\" }");
    }

    /** Starts lighttpd and waits until both sample models are loaded. */
    static LighttpdServer startReady(LighttpdServer.Config config) throws Exception {
        LighttpdServer server = config.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> ready = server.get("/v2/health/ready");
        while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            ready = server.get("/v2/health/ready");
        }
        assertEquals(200, ready.statusCode(), () -> "models not ready within 60 s:\n" + server.errorLog());
        return server;
    }

    String token(String subject, List<String> groups, List<String> roles) {
        return issuer.issue(subject, List.of("lightbridge"), groups, roles, List.of(), Duration.ofMinutes(5), Clock.systemUTC());
    }

    /** Signed by the trusted key, but its five-minute lifetime ended ten minutes ago. */
    String expiredToken(String subject, List<String> groups) {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(15)), ZoneOffset.UTC);
        return issuer.issue(subject, List.of("lightbridge"), groups, List.of(), List.of(), Duration.ofMinutes(5), past);
    }

    /** {@code headers}: extra name, value pairs. */
    static HttpResponse<String> send(LighttpdServer server, String method, String path, String body, String token,
                                     String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        if (token != null) request.header("Authorization", "Bearer " + token);
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return server.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String requestId(HttpResponse<?> response) {
        return response.headers().firstValue("X-Request-Id")
                .orElseThrow(() -> new AssertionError("no X-Request-Id on " + response.statusCode() + " " + response.uri()));
    }

    String auditLogText() throws IOException {
        return Files.readString(auditLog(), StandardCharsets.UTF_8);
    }

    static String sha256(String body) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Every audit record on disk, in file order; a last line cut off by a crash (no newline) is not a record. */
    List<JsonNode> auditRecords() throws IOException {
        List<JsonNode> records = new ArrayList<>();
        if (!Files.exists(auditLog())) return records;
        String text = Files.readString(auditLog(), StandardCharsets.UTF_8);
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start))
            records.add(JSON.readTree(text.substring(start, end)));
        return records;
    }

    /** The one record of this response's request id, with the subject, status and model the call should have. */
    JsonNode assertAudited(HttpResponse<?> response, String subject, String model) throws IOException {
        String id = requestId(response);
        List<JsonNode> matching = auditRecords().stream().filter(r -> id.equals(r.path("request_id").asText())).toList();
        assertEquals(1, matching.size(), () -> "audit records for request " + id + ": " + matching);
        JsonNode record = matching.getFirst();
        assertEquals(response.statusCode(), record.get("status").asInt(), () -> "status in " + record);
        assertEquals(model, record.get("model").asText(), () -> "model in " + record);
        if (subject == null) assertTrue(record.get("subject").isNull(), () -> "subject in " + record);
        else assertEquals(subject, record.get("subject").asText(), () -> "subject in " + record);
        return record;
    }

    /** Every file of the audit directory in chain order verifies intact. */
    AuditVerifier.Result assertChainIntact() throws IOException {
        List<Path> files;
        try (var listing = Files.list(auditDir())) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        AuditVerifier.Result result = AuditVerifier.verify(files);
        if (!result.intact()) fail("audit chain broken: " + result.problem() + " " + result.notes());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("matches")), () -> "checkpoint not checked: " + result.notes());
        return result;
    }

    /** The reference.json of a sample model's version 1. */
    static JsonNode reference(String model) throws IOException {
        return JSON.readTree(REPOSITORY.resolve(model).resolve("1/reference.json").toFile());
    }

    /** All numbers of a nested JSON array, in order, as float32 (the models' output type). */
    static List<Float> flatten(JsonNode node) {
        List<Float> out = new ArrayList<>();
        flatten(node, out);
        return out;
    }

    private static void flatten(JsonNode node, List<Float> out) {
        if (node.isArray() || node.isObject()) node.forEach(child -> flatten(child, out));
        else out.add((float) node.asDouble());
    }

    static void assertMatchesReference(String model, JsonNode reference, List<Float> got) {
        List<Float> expected = flatten(reference.get("outputs"));
        assertEquals(expected.size(), got.size(), model + ": output element count");
        for (int i = 0; i < got.size(); i++)
            assertEquals(expected.get(i), got.get(i), 1e-5, model + ": element " + i + " differs from the saved reference");
    }
}
