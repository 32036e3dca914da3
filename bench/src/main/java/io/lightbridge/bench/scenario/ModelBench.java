package io.lightbridge.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.bench.Bench;
import io.lightbridge.bench.load.Target;
import io.lightbridge.bench.peer.Peer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The shared set-up of the model scenarios: a copy of the sample model repository (so per-model config.yaml can
 * differ per scenario), one Lightbridge config per JVM peer (each with its own audit directory), the Node.js
 * peer's config with the same issuer, rule and models, and the Open Inference Protocol v2 request built from the
 * model's own reference.json (a real row of the data it was trained on).
 */
final class ModelBench {

    static final List<String> MODELS = List.of("breast-cancer", "digits");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path repository;
    private final BenchIssuer issuer;
    private final String auditDurability;

    private ModelBench(Path dir, Path repository, BenchIssuer issuer, String auditDurability) {
        this.dir = dir;
        this.repository = repository;
        this.issuer = issuer;
        this.auditDurability = auditDurability;
    }

    /**
     * Copies the sample models into {@code dir}; {@code modelConfigs} maps a model name to the config.yaml text
     * to place next to its versions (e.g. dynamic batching).
     */
    static ModelBench prepare(Bench bench, Path dir, Map<String, String> modelConfigs) throws IOException {
        Path source = bench.env().root().resolve("models/repository");
        for (String m : MODELS) {
            if (!Files.isRegularFile(source.resolve(m).resolve("1/model.onnx"))) {
                throw new BenchFailure("the model scenarios need the sample model " + source.resolve(m).resolve("1/model.onnx")
                        + " (from the inference branch; not on this checkout)");
            }
        }
        Path repo = dir.resolve("repository");
        copy(source, repo);
        for (var e : modelConfigs.entrySet()) {
            Files.writeString(repo.resolve(e.getKey()).resolve("config.yaml"), e.getValue());
        }
        return new ModelBench(dir, repo, BenchIssuer.create(dir.resolve("issuer")), bench.options().auditDurability());
    }

    BenchIssuer issuer() {
        return issuer;
    }

    /**
     * The Lightbridge config for one peer. {@code tokenCacheSize} 0 turns the validated-token cache off, so every
     * request pays for the signature check.
     */
    Path lightbridgeConfig(String peerId, int tokenCacheSize) throws IOException {
        Path audit = Files.createDirectories(dir.resolve("audit-" + peerId));
        String yaml = """
                # written by io.lightbridge.bench.scenario.ModelBench for peer (%s)
                server:
                  diagnostics: true
                identity:
                  token-cache-size: %d
                  issuers:
                    - issuer: %s
                      audiences: [%s]
                      algorithms: [RS256]
                      jwks-file: %s
                policy:
                  watch-interval: 0s
                  rules:
                    - id: bench-infer
                      actions: [infer]
                      models: ["*"]
                      callers:
                        roles: [%s]
                audit:
                  durability: %s
                  directory: %s
                models:
                  repository: %s
                  serve: [%s]
                  poll-interval: 0s
                """.formatted(peerId, tokenCacheSize, BenchIssuer.ISSUER, BenchIssuer.AUDIENCE, issuer.jwksFile(),
                BenchIssuer.ROLE, auditDurability, audit, repository, String.join(", ", MODELS));
        return Files.writeString(dir.resolve("lightbridge-" + peerId + ".yaml"), yaml);
    }

    /** The Node.js peer's config: same issuer, audience, JWKS file, rule, models; audit line to its own file. */
    Path nodeConfig() throws IOException {
        var models = new LinkedHashMap<String, String>();
        for (String m : MODELS) {
            models.put(m, repository.resolve(m).resolve("1/model.onnx").toString());
        }
        var config = new LinkedHashMap<String, Object>();
        config.put("jwksFile", issuer.jwksFile().toString());
        config.put("issuer", BenchIssuer.ISSUER);
        config.put("audience", BenchIssuer.AUDIENCE);
        config.put("rolesClaim", "realm_access.roles");
        config.put("rules", List.of(Map.of("id", "bench-infer", "role", BenchIssuer.ROLE, "models", List.of("*"),
                "actions", List.of("infer"))));
        config.put("models", models);
        config.put("intraOpThreads", 1);
        config.put("auditFile", Files.createDirectories(dir.resolve("audit-d")).resolve("audit.log").toString());
        config.put("diagnostics", true);
        config.put("modelVersion", "1");
        Path file = dir.resolve("node-peer.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
        return file;
    }

    /** A v2 infer request for {@code model} with the first row of its reference.json, as flat FP32 data. */
    byte[] inferBody(String model) throws IOException {
        JsonNode ref = JSON.readTree(repository.resolve(model).resolve("1/reference.json").toFile());
        JsonNode row = ref.get("inputs").get(0);
        var shape = new ArrayList<Integer>();
        shape.add(1);
        ref.get("input_shape").forEach(n -> shape.add(n.asInt()));
        shape.remove(1); // input_shape[0] is the reference batch; one row is sent
        var data = new ArrayList<Double>();
        flatten(row, data);
        var input = new LinkedHashMap<String, Object>();
        input.put("name", ref.get("input").asText());
        input.put("shape", shape);
        input.put("datatype", "FP32");
        input.put("data", data);
        return JSON.writeValueAsString(Map.of("inputs", List.of(input))).getBytes(StandardCharsets.UTF_8);
    }

    /** A POST of {@code body} to {@code model}'s v2 infer route on {@code peer}, carrying {@code tokens}. */
    static Target infer(String label, Peer peer, String model, byte[] body, List<String> tokens) {
        return new Target(label, peer.host(), peer.port(), "POST", "/v2/models/" + model + "/infer",
                List.of("Content-Type", "application/json"), body, tokens);
    }

    private static void flatten(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, out));
        } else {
            out.add(node.asDouble());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
