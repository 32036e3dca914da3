package io.lightbridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.audit.AuditRecord;
import io.lightbridge.log.ServerLog;
import io.lightbridge.model.ModelStats;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.workers.WorkerPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched models through the worker pool, as the server runs them: a call waiting for its batch does not hold a
 * worker, so more calls than workers share a batch, and each is answered once, with its own rows and audit record.
 */
class BatchedInferThroughWorkersTest {

    @TempDir
    Path tmp;

    private static String v2Body(String input, String datatype, String shape, String data) {
        return "{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape
                + ",\"data\":" + data + "}]}";
    }

    private static Request infer(String model, String body) {
        return new Request("POST", "/v2/models/" + model + "/infer", "",
                Headers.of("Authorization", "Bearer alice", "Content-Type", "application/json"), "127.0.0.1",
                body.getBytes(StandardCharsets.UTF_8));
    }

    /** Submits every request at once and returns the replies; fails on a second reply for any of them. */
    private static List<Response> submitAll(WorkerPool pool, ModelPipeline models, List<Request> requests)
            throws Exception {
        return submitAll(pool, models, requests, 10_000);
    }

    private static List<Response> submitAll(WorkerPool pool, ModelPipeline models, List<Request> requests, long timeoutMs)
            throws Exception {
        var replies = new ArrayList<CompletableFuture<Response>>();
        var extra = new AtomicInteger();
        for (Request r : requests) {
            var reply = new CompletableFuture<Response>();
            replies.add(reply);
            assertTrue(pool.submit(r, models.pipeline.forRoute(models.pipeline.route(r)),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), response -> {
                        if (!reply.complete(response)) {
                            extra.incrementAndGet();
                        }
                    }));
        }
        var out = new ArrayList<Response>();
        for (var reply : replies) {
            out.add(reply.get(10, TimeUnit.SECONDS));
        }
        Thread.sleep(20);
        assertEquals(0, extra.get(), "one reply per request");
        return out;
    }

    @Test
    void moreWaitingCallsThanWorkersShareABatchAndEachIsAnsweredAndAudited() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        Files.writeString(repo.resolve("breast-cancer").resolve("config.yaml"),
                "dynamic-batching:\n  max-batch-size: 64\n  max-queue-delay-us: 50000\n");
        int calls = 24;
        try (var models = new ModelPipeline(ModelPipeline.config(repo));
             var pool = new WorkerPool(2, 64, Duration.ZERO, false, ServerLog.NONE, n -> { })) {
            var requests = new ArrayList<Request>();
            var expected = new ArrayList<String>();
            for (int c = 0; c < calls; c++) {
                var data = new StringBuilder("[");
                for (int i = 0; i < 30; i++) {
                    data.append(i == 0 ? "" : ",").append(Math.sin(c * 31 + i) * 10 + 15);
                }
                String body = v2Body("input", "FP32", "[1,30]", data.append(']').toString());
                Response alone = models.pipeline.handle(infer("breast-cancer", body));
                assertEquals(200, alone.status(), alone.bodyText());
                expected.add(ModelPipeline.json(alone).get("outputs").toString());
                requests.add(infer("breast-cancer", body));
            }
            models.audit.clear();
            long batchesBefore = models.repository.stats().counters("breast-cancer").batches();

            List<Response> responses = submitAll(pool, models, requests);

            for (int c = 0; c < calls; c++) {
                Response r = responses.get(c);
                assertEquals(200, r.status(), r.bodyText());
                assertEquals(expected.get(c), ModelPipeline.json(r).get("outputs").toString(), "caller " + c + "'s own rows");
            }
            ModelStats.Counters stats = models.repository.stats().counters("breast-cancer");
            long batches = stats.batches() - batchesBefore;
            assertTrue(batches < calls / 2, calls + " calls through 2 workers ran as " + batches + " batches");
            assertEquals(calls, models.audit.size());
            assertTrue(models.audit.stream().allMatch(a -> a.status() == 200 && "1".equals(a.modelVersion())));
            assertEquals(calls, pool.completedCount());
            assertEquals(0, pool.busyWorkers());
        }
    }

    @Test
    void aCallThatFailsInItsBatchGetsItsMappedErrorAndRecordWhileTheOthersSucceed() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "gather");
        Files.writeString(repo.resolve("gather").resolve("config.yaml"),
                "dynamic-batching:\n  max-batch-size: 8\n  max-queue-delay-us: 100000\n");
        try (var models = new ModelPipeline(ModelPipeline.config(repo));
             var pool = new WorkerPool(1, 16, Duration.ZERO, false, ServerLog.NONE, n -> { })) {
            var requests = new ArrayList<Request>();
            for (long idx : new long[] {0, 1, 9, 2}) {
                requests.add(infer("gather", v2Body("idx", "INT64", "[1]", "[" + idx + "]")));
            }
            List<Response> responses = submitAll(pool, models, requests);

            assertEquals(List.of(200, 200, 500, 200), responses.stream().map(Response::status).toList());
            assertTrue(responses.get(2).bodyText().contains("model error"), responses.get(2).bodyText());
            AuditRecord failed = models.audit.stream()
                    .filter(a -> a.requestId().equals(responses.get(2).header("X-Request-Id"))).findFirst().orElseThrow();
            assertEquals(500, failed.status());
            assertEquals("model_error", failed.errorClass());
            assertEquals("1", failed.modelVersion());
            assertEquals(4, models.audit.size());
        }
    }

    @Test
    void aCallStillWaitingForItsBatchAtTheDeadlineIsAnswered504WithoutRunningAndAudited() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        Files.writeString(repo.resolve("breast-cancer").resolve("config.yaml"),
                "dynamic-batching:\n  max-batch-size: 64\n  max-queue-delay-us: 300000\n");
        try (var models = new ModelPipeline(ModelPipeline.config(repo));
             var pool = new WorkerPool(1, 16, Duration.ZERO, false, ServerLog.NONE, n -> { })) {
            String row = "[" + "1.5,".repeat(29) + "1.5]";
            long runsBefore = models.repository.stats().counters("breast-cancer").batches();

            List<Response> responses = submitAll(pool, models,
                    List.of(infer("breast-cancer", v2Body("input", "FP32", "[1,30]", row))), 50);

            Response r = responses.getFirst();
            assertEquals(504, r.status(), r.bodyText());
            assertEquals(runsBefore, models.repository.stats().counters("breast-cancer").batches(), "it did not run");
            AuditRecord record = models.audit.peek();
            assertEquals(504, record.status());
            assertEquals("deadline", record.errorClass());
            assertEquals("1", record.modelVersion());
        }
    }

    @Test
    void mlflowInvocationsAreBatchedTooAndNameTheVersion() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        Files.writeString(repo.resolve("breast-cancer").resolve("config.yaml"),
                "dynamic-batching:\n  max-batch-size: 64\n  max-queue-delay-us: 100000\n");
        try (var models = new ModelPipeline(ModelPipeline.config(repo));
             var pool = new WorkerPool(1, 16, Duration.ZERO, false, ServerLog.NONE, n -> { })) {
            String row = "[" + "1.5,".repeat(29) + "1.5]";
            var requests = new ArrayList<Request>();
            for (int i = 0; i < 4; i++) {
                requests.add(new Request("POST", "/serving-endpoints/breast-cancer/invocations", "",
                        Headers.of("Authorization", "Bearer alice", "Content-Type", "application/json"), "127.0.0.1",
                        ("{\"inputs\":[" + row + "]}").getBytes(StandardCharsets.UTF_8)));
            }
            List<Response> responses = submitAll(pool, models, requests);
            for (Response r : responses) {
                assertEquals(200, r.status(), r.bodyText());
                assertEquals("1", r.header("X-Model-Version"));
                assertTrue(ModelPipeline.json(r).has("predictions"), r.bodyText());
            }
            assertEquals(4, models.audit.size());
            assertTrue(models.repository.stats().counters("breast-cancer").batches() <= 2);
        }
    }
}
