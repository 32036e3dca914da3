package io.lightbridge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lightbridge.pipeline.Response;
import io.lightbridge.protocol.ModelPipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot deploy through the real Pipeline while clients call without naming a version: v1 (the breast-cancer MLP) →
 * v2 (a model answering 0.5 for every row, so the output itself shows which version ran) → a broken v3 → rollback
 * to v1 by the {@code default} alias. Zero failed requests; every response names the version that computed it.
 */
class HotDeployTest {

    private static final String ROW = "[17.99,10.38,122.8,1001,0.1184,0.2776,0.3001,0.1471,0.2419,0.07871,1.095,0.9053,"
            + "8.589,153.4,0.006399,0.04904,0.05373,0.01587,0.03003,0.006193,25.38,17.33,184.6,2019,0.1622,0.6656,0.7119,"
            + "0.2654,0.4601,0.1189]";
    private static final String V2_BODY = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":" + ROW + "}]}";
    private static final String MLFLOW_BODY = "{\"instances\":[" + ROW + "]}";

    @TempDir
    Path tmp;

    /** One answered call: when it started, which version it names and what it computed. */
    record Call(long startNanos, int status, String version, double output) {}

    /** Deploys a version the way admins should: build it beside the repository, then rename it into place. */
    static void deploy(Path repo, String model, int version, Path from) throws Exception {
        Path staging = repo.getParent().resolve("staging-" + model + "-" + version);
        ModelPipeline.copyTree(from, staging);
        Files.move(staging, repo.resolve(model).resolve(Integer.toString(version)), StandardCopyOption.ATOMIC_MOVE);
    }

    static void deployBroken(Path repo, String model, int version) throws Exception {
        Path staging = repo.getParent().resolve("staging-broken");
        Files.createDirectories(staging);
        Files.writeString(staging.resolve("model.onnx"), "this is not an ONNX model");
        Files.move(staging, repo.resolve(model).resolve(Integer.toString(version)), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void swapsUnderLoadWithZeroFailedRequests() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        try (var served = new ModelPipeline(ModelPipeline.config(repo).withDefaultModel("breast-cancer"))) {
            var calls = new ConcurrentLinkedQueue<Call>();
            var stop = new AtomicBoolean();
            var started = new CountDownLatch(4);
            List<Thread> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean mlflow = i % 2 == 1;
                clients.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    while (!stop.get()) {
                        calls.add(mlflow ? invocations(served) : infer(served));
                    }
                }));
            }
            started.await();
            Thread.sleep(200);

            deploy(repo, "breast-cancer", 2, ModelPipeline.TEST_MODELS.resolve("constant-half"));
            assertEquals(200, admin(served, "load").status());
            long v2Live = System.nanoTime();
            Thread.sleep(200);

            deployBroken(repo, "breast-cancer", 3);
            Response failedLoad = admin(served, "load");
            assertEquals(500, failedLoad.status(), failedLoad.bodyText());
            assertTrue(failedLoad.bodyText().contains("version(s) 3"), failedLoad.bodyText());
            Response v3Ready = served.call("GET", "/v2/models/breast-cancer/versions/3/ready", null);
            assertEquals(400, v3Ready.status());
            assertFalse(ModelPipeline.json(v3Ready).get("ready").asBoolean());
            assertTrue(ModelPipeline.json(v3Ready).get("reason").asText().contains("failed to load"));
            assertEquals(1, served.repository.stats().counters("breast-cancer").loadFailures());
            Thread.sleep(200);

            Files.writeString(repo.resolve("breast-cancer").resolve("config.yaml"), "aliases:\n  default: 1\n");
            assertEquals(200, admin(served, "load").status());
            long rolledBack = System.nanoTime();
            Thread.sleep(200);

            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
            assertTrue(calls.size() > 100, "the clients kept calling: " + calls.size());
            for (Call c : calls) {
                assertEquals(200, c.status(), "no request fails during swaps");
                switch (c.version()) {
                    case "1" -> assertTrue(c.output() < 0.01, "version 1 is the MLP (malignant row)");
                    case "2" -> assertEquals(0.5, c.output(), 0.0, "version 2 answers 0.5");
                    default -> throw new AssertionError("version " + c.version() + " answered");
                }
                if (c.startNanos() > v2Live && c.startNanos() < rolledBack - Duration.ofMillis(250).toNanos()) {
                    assertEquals("2", c.version(), "after v2 went live and before the rollback, v2 answers");
                }
                if (c.startNanos() > rolledBack) {
                    assertEquals("1", c.version(), "after the rollback, v1 answers");
                }
            }
            assertTrue(calls.stream().anyMatch(c -> c.version().equals("2")));
            Response index = served.call("POST", "/v2/repository/index", "{}");
            assertTrue(index.bodyText().contains("\"version\":\"3\",\"state\":\"UNAVAILABLE\""), index.bodyText());
        }
    }

    @Test
    void runningCallsFinishOnTheRetiredVersionWhichClosesAfter() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        try (var served = new ModelPipeline(ModelPipeline.config(repo))) {
            ModelLease running = served.repository.acquire("breast-cancer", null);
            deploy(repo, "breast-cancer", 2, ModelPipeline.TEST_MODELS.resolve("constant-half"));
            served.repository.load("breast-cancer");
            try (ModelLease next = served.repository.acquire("breast-cancer", null)) {
                assertEquals("2", next.version().version());
            }
            ModelVersion old = running.version();
            assertEquals("1", old.version());
            assertFalse(old.isClosed(), "a running call keeps the retired session open");
            var out = old.infer(List.of(Tensor.ofFloats("input", new long[] {1, 30}, new float[30])), List.of());
            assertEquals("1", out.version());
            running.close();
            assertTrue(old.isClosed(), "closed once its last call finished");
            running.close();
            assertTrue(old.isClosed(), "lease close is idempotent");
        }
    }

    @Test
    void pollingPicksUpANewVersionDirectory() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        try (var served = new ModelPipeline(ModelPipeline.config(repo).withPollInterval(Duration.ofMillis(50)))) {
            assertEquals("1", version(infer(served)));
            deploy(repo, "breast-cancer", 2, ModelPipeline.TEST_MODELS.resolve("constant-half"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String answered = "1";
            while (!answered.equals("2") && System.nanoTime() < deadline) {
                Call c = infer(served);
                assertEquals(200, c.status());
                answered = c.version();
                Thread.sleep(10);
            }
            assertEquals("2", answered, "the poller loaded version 2");
            deployBroken(repo, "breast-cancer", 3);
            deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (served.repository.stats().counters("breast-cancer").loadFailures() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, served.repository.stats().counters("breast-cancer").loadFailures());
            Thread.sleep(200);
            assertEquals(1, served.repository.stats().counters("breast-cancer").loadFailures(),
                    "an unchanged broken version is not retried on every poll");
            assertEquals("2", infer(served).version());
            assertTrue(served.log.stream().anyMatch(l -> l.contains("version 3 failed to load")), served.log.toString());
        }
    }

    private static String version(Call c) {
        return c.version();
    }

    private static Response admin(ModelPipeline served, String op) {
        return served.call("POST", "/v2/repository/models/breast-cancer/" + op, null);
    }

    private static Call infer(ModelPipeline served) {
        long start = System.nanoTime();
        Response r = served.call("POST", "/v2/models/breast-cancer/infer", V2_BODY);
        if (r.status() != 200) {
            return new Call(start, r.status(), r.bodyText(), Double.NaN);
        }
        JsonNode j = ModelPipeline.json(r);
        return new Call(start, 200, j.get("model_version").asText(), j.get("outputs").get(0).get("data").get(0).asDouble());
    }

    private static Call invocations(ModelPipeline served) {
        long start = System.nanoTime();
        Response r = served.call("POST", "/invocations", MLFLOW_BODY.getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer alice", "Content-Type", "application/json");
        if (r.status() != 200) {
            return new Call(start, r.status(), r.bodyText(), Double.NaN);
        }
        return new Call(start, 200, r.header("X-Model-Version"),
                ModelPipeline.json(r).get("predictions").get("probability").get(0).get(0).asDouble());
    }
}
