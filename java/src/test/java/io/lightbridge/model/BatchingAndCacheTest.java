package io.lightbridge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.log.ServerLog;
import io.lightbridge.protocol.ModelPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic batching returns each caller its own rows under concurrency; the prediction cache never crosses versions. */
class BatchingAndCacheTest {

    @TempDir
    Path tmp;

    private static float[] row(int seed, int rows) {
        float[] x = new float[30 * rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (Math.sin(seed * 31 + i) * 10 + 15);
        }
        return x;
    }

    private static float[] values(InferenceResult r) {
        var b = r.outputs().getFirst().bytes();
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    @Test
    void concurrentCallersEachGetTheirOwnRows() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        Path plain = tmp.resolve("plain");
        ModelPipeline.copyTree(repo.resolve("breast-cancer").resolve("1"), plain.resolve("breast-cancer").resolve("1"));
        Files.writeString(repo.resolve("breast-cancer").resolve("config.yaml"),
                "dynamic-batching:\n  max-batch-size: 16\n  max-queue-delay-us: 2000\n");
        try (var batched = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE);
             var direct = ModelRepository.open(ModelPipeline.config(plain), ServerLog.NONE)) {
            int callers = 24;
            int perCaller = 40;
            var expected = new ArrayList<float[]>();
            for (int c = 0; c < callers; c++) {
                int rows = c % 3 == 0 ? 3 : 1;
                try (ModelLease lease = direct.acquire("breast-cancer", null)) {
                    expected.add(values(lease.version().infer(
                            List.of(Tensor.ofFloats("input", new long[] {rows, 30}, row(c, rows))), List.of())));
                }
            }
            var failures = new ConcurrentLinkedQueue<String>();
            var go = new CountDownLatch(1);
            var threads = new ArrayList<Thread>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                int rows = c % 3 == 0 ? 3 : 1;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < perCaller; i++) {
                            try (ModelLease lease = batched.acquire("breast-cancer", null)) {
                                assertTrue(lease.version().batching());
                                float[] got = values(lease.version().infer(
                                        List.of(Tensor.ofFloats("input", new long[] {rows, 30}, row(caller, rows))), List.of()));
                                if (!java.util.Arrays.equals(expected.get(caller), got)) {
                                    failures.add("caller " + caller + " got " + java.util.Arrays.toString(got)
                                            + " expected " + java.util.Arrays.toString(expected.get(caller)));
                                }
                            }
                        }
                    } catch (Exception e) {
                        failures.add(caller + ": " + e);
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(failures.isEmpty(), failures.toString());
            ModelStats.Counters c = batched.stats().counters("breast-cancer");
            assertEquals(callers * perCaller, c.inferences());
            assertEquals(callers * perCaller, c.batchedRequests());
            assertTrue(c.batches() < c.batchedRequests() / 2,
                    "calls were batched: " + c.batches() + " runs for " + c.batchedRequests() + " calls");
        }
    }

    @Test
    void aFailingCallInABatchFailsAlone() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "gather", "identity-all-types");
        Files.writeString(repo.resolve("gather").resolve("config.yaml"),
                "dynamic-batching:\n  max-batch-size: 8\n  max-queue-delay-us: 20000\n");
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE)) {
            var results = new ConcurrentLinkedQueue<String>();
            var threads = new ArrayList<Thread>();
            for (int i = 0; i < 4; i++) {
                long idx = i == 3 ? 9 : i;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (ModelLease lease = repository.acquire("gather", null)) {
                        var b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(idx).flip();
                        var out = lease.version().infer(List.of(Tensor.of("idx", DType.INT64, new long[] {1}, b)), List.of());
                        results.add(idx + "=" + out.outputs().getFirst().getDouble(0));
                    } catch (ModelCallException e) {
                        results.add(idx + "=" + e.kind());
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(java.util.Set.of("0=10.0", "1=20.0", "2=30.0", "9=MODEL_FAILED"), java.util.Set.copyOf(results));
        }
    }

    @Test
    void cacheAnswersRepeatsButNeverAcrossVersions() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        ModelPipeline.copyTree(ModelPipeline.TEST_MODELS.resolve("constant-half"), repo.resolve("breast-cancer").resolve("2"));
        Files.writeString(repo.resolve("breast-cancer").resolve("config.yaml"),
                "version-policy:\n  all: true\ncache:\n  max-entries: 100\n");
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE)) {
            List<Tensor> in = List.of(Tensor.ofFloats("input", new long[] {1, 30}, row(1, 1)));
            InferenceResult v1 = infer(repository, "1", in);
            InferenceResult v1Again = infer(repository, "1", in);
            InferenceResult v2 = infer(repository, "2", in);
            InferenceResult v2Again = infer(repository, "2", in);
            assertFalse(v1.cached());
            assertTrue(v1Again.cached());
            assertFalse(v2.cached(), "same inputs, other version: not from the cache");
            assertTrue(v2Again.cached());
            assertEquals(0.5f, values(v2Again)[0]);
            assertTrue(values(v1Again)[0] != 0.5f);
            assertEquals(values(v1)[0], values(v1Again)[0]);
            ModelStats.Counters c = repository.stats().counters("breast-cancer");
            assertEquals(2, c.cacheHits());
            assertEquals(2, c.cacheMisses());
            assertEquals(c, repository.stats().snapshot().get("breast-cancer"), "the exporter's view is the same");
            List<Tensor> other = List.of(Tensor.ofFloats("input", new long[] {1, 30}, row(2, 1)));
            assertFalse(infer(repository, "1", other).cached(), "other inputs are another key");
        }
    }

    @Test
    void aVersionReloadedFromChangedFilesStartsWithAnEmptyCache() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        Files.writeString(repo.resolve("breast-cancer").resolve("config.yaml"), "cache:\n  max-entries: 100\n");
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE)) {
            List<Tensor> in = List.of(Tensor.ofFloats("input", new long[] {1, 30}, row(1, 1)));
            infer(repository, "1", in);
            assertTrue(infer(repository, "1", in).cached());
            Path v1 = repo.resolve("breast-cancer").resolve("1");
            Files.delete(v1.resolve("MLmodel"));
            Files.copy(ModelPipeline.TEST_MODELS.resolve("constant-half").resolve("model.onnx"), v1.resolve("model.onnx"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            repository.load("breast-cancer");
            InferenceResult after = infer(repository, "1", in);
            assertFalse(after.cached(), "the reloaded version 1 is a new load: no old entries");
            assertEquals(0.5f, values(after)[0]);
        }
    }

    private static InferenceResult infer(ModelRepository repository, String version, List<Tensor> in) throws Exception {
        try (ModelLease lease = repository.acquire("breast-cancer", version)) {
            return lease.version().infer(in, List.of());
        }
    }
}
