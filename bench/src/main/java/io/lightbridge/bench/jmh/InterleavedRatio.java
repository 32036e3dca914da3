package io.lightbridge.bench.jmh;

import io.lightbridge.model.ModelLease;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The JMH benchmarks' two comparisons, interleaved so both sides see the same machine load (the benchmark machine is
 * shared): rounds alternate A and B, and the ratio is of the per-round medians.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp … io.lightbridge.bench.jmh.InterleavedRatio [rounds]
 * </pre>
 * Prints: pipeline vs raw session.run per model (batch 1, one thread), and batching on vs off at 64 callers.
 */
public final class InterleavedRatio {

    /** -Dbatch.delay.us=… : the batcher's max-queue-delay-us. */
    private static final long DELAY_US = Long.getLong("batch.delay.us", 200);

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        String only = args.length > 1 ? args[1] : "all";
        if (!only.equals("batching")) {
            for (String model : List.of("breast-cancer", "digits")) {
                pipelineVsRaw(model, rounds);
            }
        }
        if (!only.equals("pipeline")) {
            for (String model : List.of("breast-cancer", "digits")) {
                batching(model, Math.max(6, rounds / 3));
            }
        }
    }

    private static void pipelineVsRaw(String model, int rounds) throws Exception {
        var bench = new InferencePipelineBenchmark();
        bench.model = model;
        bench.setUp();
        try {
            int perRound = model.equals("digits") ? 500 : 5_000;
            for (int i = 0; i < perRound * 10; i++) {
                bench.pipeline();
                bench.rawSessionRun();
            }
            double[] pipeline = new double[rounds];
            double[] raw = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    bench.pipeline();
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    bench.rawSessionRun();
                }
                long t2 = System.nanoTime();
                pipeline[r] = (t1 - t0) / 1e3 / perRound;
                raw[r] = (t2 - t1) / 1e3 / perRound;
            }
            double p = median(pipeline);
            double q = median(raw);
            System.out.printf("%-14s pipeline %.2f us/op, raw session.run %.2f us/op, ratio %.2f (median of %d interleaved rounds of %d)%n",
                    model, p, q, p / q, rounds, perRound);
        } finally {
            bench.tearDown();
        }
    }

    private static void batching(String model, int rounds) throws Exception {
        try (ModelRepository off = SampleRequests.repository(model, null);
             ModelRepository on = SampleRequests.repository(model,
                     "dynamic-batching:\n  max-batch-size: 64\n  max-queue-delay-us: " + DELAY_US + "\n")) {
            List<Tensor> inputs = List.of(Tensor.ofFloats(SampleRequests.inputName(model), SampleRequests.shape(model),
                    SampleRequests.row(model)));
            throughput(off, model, inputs, 2_000);
            throughput(on, model, inputs, 2_000);
            double[] offs = new double[rounds];
            double[] ons = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                offs[r] = throughput(off, model, inputs, 1_000);
                ons[r] = throughput(on, model, inputs, 1_000);
            }
            double a = median(offs);
            double b = median(ons);
            var stats = on.stats().counters(model);
            System.out.printf("%-14s batching at 64 callers: off %.0f calls/s, on %.0f calls/s, ratio %.2f (median of %d interleaved"
                    + " 1 s rounds; max-queue-delay-us %d, %.1f rows per run)%n",
                    model, a, b, b / a, rounds, DELAY_US, (double) stats.batchedRows() / stats.batches());
        }
    }

    /** Calls per second of 64 threads calling as fast as they can for {@code millis}. */
    private static double throughput(ModelRepository repo, String model, List<Tensor> inputs, long millis) throws Exception {
        var stop = new AtomicBoolean();
        var calls = new LongAdder();
        var failures = new LongAdder();
        var ready = new CountDownLatch(64);
        var threads = new ArrayList<Thread>();
        for (int i = 0; i < 64; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                ready.countDown();
                while (!stop.get()) {
                    try (ModelLease lease = repo.acquire(model, null)) {
                        lease.version().infer(inputs, List.of());
                        calls.increment();
                    } catch (Exception e) {
                        failures.increment();
                    }
                }
            }));
        }
        ready.await();
        long start = System.nanoTime();
        long before = calls.sum();
        Thread.sleep(millis);
        long done = calls.sum() - before;
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (failures.sum() > 0) {
            throw new IllegalStateException(failures.sum() + " calls failed");
        }
        return done / seconds;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
