package io.lightbridge.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A run batch's calls are completed in chunks on the completion executor, the first chunk on the batch thread. */
class BatchCompletionsTest {

    /** Opens once every call's dependent stage is in place, so that none completes before the test watches it. */
    private final CountDownLatch watching = new CountDownLatch(1);

    /** The model: its output is its input, so each call can check it got its own rows back. */
    private final Batcher.Runner identity = (inputs, outputs) -> {
        try {
            watching.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Tensor in = inputs.getFirst();
        return List.of(Tensor.of("out", in.type(), in.shape(), in.bytes()));
    };

    private static Tensor row(int i) {
        var b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(i).putFloat(i + 0.5f).flip();
        return Tensor.of("in", DType.FP32, new long[] {1, 2}, b);
    }

    private static float[] values(List<Tensor> outputs) {
        var b = outputs.getFirst().bytes();
        return new float[] {b.getFloat(0), b.getFloat(4)};
    }

    /** Submits {@code calls} one-row calls (a full batch) and records which thread completed each. */
    private Map<Integer, String> runFullBatch(Batcher batcher, int calls) throws Exception {
        var completedOn = new ConcurrentHashMap<Integer, String>();
        var results = new ArrayList<CompletableFuture<List<Tensor>>>();
        for (int i = 0; i < calls; i++) {
            int call = i;
            var result = batcher.submit(List.of(row(i)), List.of("out"), System.nanoTime() + Batcher.NO_DEADLINE);
            result.whenComplete((r, t) -> completedOn.put(call, Thread.currentThread().getName()));
            results.add(result);
        }
        watching.countDown();
        // not get(): a thread waiting in get() may run the dependents itself, and the test is about which thread does
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (completedOn.size() < calls) {
            assertTrue(System.nanoTime() < end, completedOn.size() + " of " + calls + " calls completed");
            Thread.sleep(1);
        }
        for (int i = 0; i < calls; i++) {
            List<Tensor> out = results.get(i).getNow(null);
            assertArrayEquals(new float[] {i, i + 0.5f}, values(out), "call " + i + "'s own row");
            assertArrayEquals(new long[] {1, 2}, out.getFirst().shape());
        }
        return completedOn;
    }

    @Test
    void theCallsOfARunBatchAreCompletedInChunksOnTheExecutor() throws Exception {
        int calls = 2 * Batcher.CHUNK + 7;
        var tasks = new AtomicInteger();
        Executor completions = task -> {
            tasks.incrementAndGet();
            Thread.ofPlatform().name("completions-" + tasks.get()).start(task);
        };
        try (var batcher = new Batcher("m", "1", identity, new ModelConfig.DynamicBatching(calls, 1_000_000L),
                ModelListener.NONE, completions)) {
            Map<Integer, String> completedOn = runFullBatch(batcher, calls);

            assertEquals(2, tasks.get(), "one task per chunk after the first");
            for (int i = 0; i < calls; i++) {
                String thread = completedOn.get(i);
                if (i < Batcher.CHUNK) {
                    assertEquals("lb-batch-m-1", thread, "call " + i + ": the first chunk on the batch thread");
                } else {
                    assertEquals("completions-" + (i / Batcher.CHUNK), thread, "call " + i + "'s chunk");
                }
            }
        }
    }

    @Test
    void aRefusingExecutorLeavesTheCompletionsToTheBatchThread() throws Exception {
        int calls = Batcher.CHUNK + 3;
        Executor refusing = task -> {
            throw new RejectedExecutionException("shutting down");
        };
        try (var batcher = new Batcher("m", "1", identity, new ModelConfig.DynamicBatching(calls, 1_000_000L),
                ModelListener.NONE, refusing)) {
            Map<Integer, String> completedOn = runFullBatch(batcher, calls);
            assertTrue(completedOn.values().stream().allMatch("lb-batch-m-1"::equals), completedOn.toString());
        }
    }

    @Test
    void withoutAnExecutorTheBatchThreadCompletesEveryCall() throws Exception {
        int calls = 3 * Batcher.CHUNK;
        try (var batcher = new Batcher("m", "1", identity, new ModelConfig.DynamicBatching(calls, 1_000_000L),
                ModelListener.NONE, null)) {
            Map<Integer, String> completedOn = runFullBatch(batcher, calls);
            assertTrue(completedOn.values().stream().allMatch("lb-batch-m-1"::equals), completedOn.toString());
        }
    }
}
