package io.lightbridge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How a batch tells its calls their outcome: once each, with the run's end time, whatever one of them does. */
class BatcherTest {

    /** Records what it is told; throws on {@link #ran} when asked to. */
    private static final class Recorded implements Batcher.Outcome {
        final CountDownLatch told = new CountDownLatch(1);
        final AtomicInteger times = new AtomicInteger();
        final boolean throwing;
        volatile float value = Float.NaN;
        volatile long endNanos;
        volatile ModelCallException failure;

        Recorded(boolean throwing) {
            this.throwing = throwing;
        }

        @Override
        public void ran(List<Tensor> outputs, long endNanos) {
            times.incrementAndGet();
            this.value = (float) outputs.getFirst().getDouble(0);
            this.endNanos = endNanos;
            told.countDown();
            if (throwing) {
                throw new IllegalStateException("a dependent stage blew up");
            }
        }

        @Override
        public void failed(ModelCallException failure) {
            times.incrementAndGet();
            this.failure = failure;
            told.countDown();
        }
    }

    private static List<Tensor> row(float x) {
        return List.of(Tensor.ofFloats("x", new long[] {1, 1}, new float[] {x}));
    }

    @Test
    void everyCallOfABatchIsToldOnceWithTheRunsEndEvenWhenOneOutcomeThrows() throws Exception {
        var runs = new AtomicInteger();
        var ends = ConcurrentHashMap.<Long>newKeySet();
        var runThreads = ConcurrentHashMap.<Thread>newKeySet();
        Batcher.Runner echo = (inputs, outputs) -> {
            runs.incrementAndGet();
            runThreads.add(Thread.currentThread());
            return inputs;
        };
        // a long delay and a batch of exactly the calls below: they run as one batch once the fourth arrives
        try (var batcher = new Batcher("m", "1", echo, new ModelConfig.DynamicBatching(4, 1_000_000L),
                ModelListener.CallEvents.NONE)) {
            var calls = List.of(new Recorded(false), new Recorded(true), new Recorded(false), new Recorded(false));
            long before = System.nanoTime();
            for (int i = 0; i < calls.size(); i++) {
                batcher.submit(row(i), List.of("x"), System.nanoTime() + TimeUnit.SECONDS.toNanos(10), calls.get(i));
                if (i == 0) {
                    // the first call woke the idle batch thread to keep its delay; let it go back to sleep, so that it
                    // is not looking at the queue (holding the collecting lock) when the fourth call fills the batch
                    Thread.sleep(200);
                }
            }
            for (Recorded call : calls) {
                assertTrue(call.told.await(10, TimeUnit.SECONDS), "every call is told, the one after the thrower too");
            }
            for (int i = 0; i < calls.size(); i++) {
                Recorded call = calls.get(i);
                assertEquals(1, call.times.get());
                assertEquals(i, call.value, "each call gets its own row");
                assertTrue(call.endNanos - before > 0 && System.nanoTime() - call.endNanos >= 0);
                ends.add(call.endNanos);
            }
            assertEquals(1, runs.get(), "one run for the four calls");
            assertEquals(1, ends.size(), "the calls of a batch share the run's end time");
            assertEquals(java.util.Set.of(Thread.currentThread()), runThreads,
                    "the call that filled the batch ran it, on its own thread: no hand-off");

            var alone = new Recorded(false);
            batcher.submit(List.of(Tensor.ofFloats("x", new long[] {4, 1}, new float[] {8, 9, 10, 11})), List.of("x"),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(10), alone); // a full batch by itself runs now, here
            assertEquals(1, alone.times.get());
            assertEquals(8f, alone.value);

            var next = List.of(new Recorded(false), new Recorded(false), new Recorded(false), new Recorded(false));
            for (int i = 0; i < next.size(); i++) {
                batcher.submit(row(20 + i), List.of("x"), System.nanoTime() + TimeUnit.SECONDS.toNanos(10), next.get(i));
            }
            for (int i = 0; i < next.size(); i++) {
                assertTrue(next.get(i).told.await(10, TimeUnit.SECONDS), "batching goes on after the throwing outcome");
                assertEquals(20 + i, next.get(i).value);
            }
            assertEquals(3, runs.get());

            batcher.close();
            var late = new Recorded(false);
            batcher.submit(row(1), List.of("x"), System.nanoTime() + TimeUnit.SECONDS.toNanos(10), late);
            assertEquals(1, late.times.get());
            assertEquals(ModelCallException.Kind.NOT_READY, late.failure.kind(), "a closed batcher refuses at once");
        }
    }

    @Test
    void aBatchThatDoesNotFillRunsOnTheBatchThreadOnceItsOldestCallIsDue() throws Exception {
        var runThreads = ConcurrentHashMap.<String>newKeySet();
        Batcher.Runner echo = (inputs, outputs) -> {
            runThreads.add(Thread.currentThread().getName());
            return inputs;
        };
        for (long delayUs : new long[] {50_000, 20}) { // a delay the batch thread watches, and one it is woken for
            runThreads.clear();
            try (var batcher = new Batcher("m", "1", echo, new ModelConfig.DynamicBatching(8, delayUs),
                    ModelListener.CallEvents.NONE)) {
                var first = new Recorded(false);
                var second = new Recorded(false);
                long start = System.nanoTime();
                batcher.submit(row(1), List.of("x"), start + TimeUnit.SECONDS.toNanos(10), first);
                batcher.submit(row(2), List.of("x"), start + TimeUnit.SECONDS.toNanos(10), second);
                assertTrue(first.told.await(10, TimeUnit.SECONDS) && second.told.await(10, TimeUnit.SECONDS));
                long waited = System.nanoTime() - start;
                assertTrue(waited >= TimeUnit.MICROSECONDS.toNanos(delayUs), "ran before the delay: " + waited + " ns");
                assertEquals(1f, first.value);
                assertEquals(2f, second.value);
                if (delayUs >= 1_000) { // at 20 us a slow machine may let the first run before the second comes
                    assertEquals(first.endNanos, second.endNanos, "one run for both");
                }
                assertEquals(java.util.Set.of("lb-batch-m-1"), runThreads);
            }
        }
    }
}
