package io.lightbridge.bench.jmh;

import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.auth.Principal;
import io.lightbridge.log.ServerLog;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.ModelsConfig;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Router;
import io.lightbridge.protocol.v2.ModelRoutes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The committed sample models and one-row requests for them, shared by the inference benchmarks. */
final class SampleRequests {
    private SampleRequests() {}

    /** -Dlightbridge.samples=… overrides; the default is right for runs from bench/ (mvn -pl bench exec:exec). */
    static Path samples() {
        return Path.of(System.getProperty("lightbridge.samples", "../models/repository")).toAbsolutePath().normalize();
    }

    /** Input shape of one row and its name. */
    static long[] shape(String model) {
        return model.equals("digits") ? new long[] {1, 1, 8, 8} : new long[] {1, 30};
    }

    static String inputName(String model) {
        return model.equals("digits") ? "image" : "input";
    }

    static float[] row(String model) {
        float[] x = new float[model.equals("digits") ? 64 : 30];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (Math.abs(Math.sin(i * 7.0)) * 16);
        }
        return x;
    }

    static byte[] v2Body(String model) {
        var sb = new StringBuilder("{\"inputs\":[{\"name\":\"").append(inputName(model))
                .append("\",\"datatype\":\"FP32\",\"shape\":").append(java.util.Arrays.toString(shape(model)).replace(" ", ""))
                .append(",\"data\":[");
        float[] x = row(model);
        for (int i = 0; i < x.length; i++) {
            sb.append(i == 0 ? "" : ",").append(x[i]);
        }
        return sb.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static Request v2Request(String model) {
        return new Request("POST", "/v2/models/" + model + "/infer", "",
                Headers.of("Authorization", "Bearer bench", "Content-Type", "application/json"), "127.0.0.1", v2Body(model));
    }

    /** A repository over a copy of one sample model, with {@code configYaml} as its config.yaml (null: none). */
    static ModelRepository repository(String model, String configYaml) throws IOException {
        Path repo = Files.createTempDirectory("lb-bench-repo");
        Path dir = repo.resolve(model).resolve("1");
        Files.createDirectories(dir);
        try (var files = Files.list(samples().resolve(model).resolve("1"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName().toString()));
            }
        }
        if (configYaml != null) {
            Files.writeString(repo.resolve(model).resolve("config.yaml"), configYaml);
        }
        return ModelRepository.open(new ModelsConfig(repo, List.of(), Duration.ZERO, null, null, null), ServerLog.NONE);
    }

    /**
     * The real Pipeline with the v2 model routes; identity and policy are constant-time stand-ins (the benchmark
     * measures the model path) and audit is disabled.
     */
    static Pipeline pipeline(ModelRepository repository) {
        var principal = new Principal("bench", "bench", null, Set.of(), Set.of(), Set.of(), null, null, Map.of());
        return new Pipeline(Router.firstOf(ModelRoutes.create(repository, ServerLog.NONE)), r -> principal,
                (p, a, res) -> new Decision(true, "bench"), AuditTrail.DISABLED, Clock.systemUTC(), ServerLog.NONE);
    }
}
