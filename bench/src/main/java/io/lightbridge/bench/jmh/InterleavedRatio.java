package io.lightbridge.bench.jmh;

import io.lightbridge.model.ModelRepository;
import java.util.Arrays;
import java.util.List;

/**
 * The JMH benchmarks' two comparisons, interleaved so both sides see the same machine load (the benchmark machine is
 * shared): rounds alternate A and B, and the ratio is of the per-round medians.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp … io.lightbridge.bench.jmh.InterleavedRatio [rounds]
 * </pre>
 * Prints: pipeline vs raw session.run per model (batch 1, one thread), and batching on vs off at 64 callers (64
 * requests in flight through the pipeline and the worker pool, see {@link ClosedLoop}). The second argument,
 * {@code pipeline} or {@code batching}, runs only that comparison; {@code model-batching} runs the batching comparison
 * with the model call alone as the handler ({@link ModelCalls}: no protocol, identity or audit), which is what
 * dynamic batching itself changes.
 */
public final class InterleavedRatio {

    /** ORT runs on the calling thread with one intra-op thread, so thread CPU time covers both sides. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** -Dmodels=breast-cancer : only these sample models. */
    private static final List<String> MODELS = List.of(System.getProperty("models", "breast-cancer,digits").split(","));

    /**
     * Requests in flight in the batching comparison (see {@link ClosedLoop}: a caller is a request, not a thread);
     * -Dbatch.callers=… to change it.
     */
    private static final int CALLERS = Integer.getInteger("batch.callers", BatchingThroughputBenchmark.CALLERS);

    /** -Dbatch.delay.us=… : the batcher's max-queue-delay-us. */
    private static final long DELAY_US = Long.getLong("batch.delay.us", 200);

    /** -Dbatch.max=… : the batcher's max-batch-size. */
    private static final int MAX_BATCH = Integer.getInteger("batch.max", 64);

    /** -Dbatch.intra.op=… : the batching version's intra-op-threads (unset: the default, one). */
    private static final String INTRA_OP = System.getProperty("batch.intra.op");

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        String only = args.length > 1 ? args[1] : "all";
        if (!only.endsWith("batching")) {
            for (String model : MODELS) {
                pipelineVsRaw(model, rounds);
            }
        }
        if (!only.equals("pipeline")) {
            for (String model : MODELS) {
                batching(model, Math.max(6, rounds / 3), only.equals("model-batching"));
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
                bench.rawSessionRunPinned();
            }
            double[] pipeline = new double[rounds];
            double[] raw = new double[rounds];
            double[] pipelineCpu = new double[rounds];
            double[] rawCpu = new double[rounds];
            double[] pinnedCpu = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long c0 = CPU.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    bench.pipeline();
                }
                long c1 = CPU.getCurrentThreadCpuTime();
                long t1 = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    bench.rawSessionRun();
                }
                long c2 = CPU.getCurrentThreadCpuTime();
                long t2 = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    bench.rawSessionRunPinned();
                }
                pinnedCpu[r] = (CPU.getCurrentThreadCpuTime() - c2) / 1e3 / perRound;
                pipeline[r] = (t1 - t0) / 1e3 / perRound;
                raw[r] = (t2 - t1) / 1e3 / perRound;
                pipelineCpu[r] = (c1 - c0) / 1e3 / perRound;
                rawCpu[r] = (c2 - c1) / 1e3 / perRound;
            }
            double p = median(pipeline);
            double q = median(raw);
            double pc = median(pipelineCpu);
            double qc = median(rawCpu);
            double pm = min(pipelineCpu);
            double qm = min(rawCpu);
            System.out.printf("%-14s pipeline %.2f us/op, raw session.run %.2f us/op, ratio %.2f; thread CPU %.2f vs %.2f us/op,"
                    + " ratio %.2f (medians of %d interleaved rounds of %d); fastest rounds' CPU %.2f vs %.2f, ratio %.2f%n",
                    model, p, q, p / q, pc, qc, pc / qc, rounds, perRound, pm, qm, pm / qm);
            double pinned = median(pinnedCpu);
            System.out.printf("%-14s   raw session.run with a pinned output (the fastest raw call): thread CPU %.2f us/op;"
                    + " pipeline / pinned raw %.2f%n", model, pinned, pc / pinned);
        } finally {
            bench.tearDown();
        }
    }

    private static void batching(String model, int rounds, boolean modelCallsOnly) throws Exception {
        var request = SampleRequests.v2Request(model);
        try (ModelRepository off = SampleRequests.repository(model, null);
             ModelRepository on = SampleRequests.repository(model,
                     "dynamic-batching:\n  max-batch-size: " + MAX_BATCH + "\n  max-queue-delay-us: " + DELAY_US + "\n"
                             + (INTRA_OP == null ? "" : "intra-op-threads: " + INTRA_OP + "\n"));
             var offLoop = modelCallsOnly ? new ClosedLoop(new ModelCalls(off, model), request, CALLERS)
                     : new ClosedLoop(SampleRequests.pipeline(off), request, CALLERS);
             var onLoop = modelCallsOnly ? new ClosedLoop(new ModelCalls(on, model), request, CALLERS)
                     : new ClosedLoop(SampleRequests.pipeline(on), request, CALLERS);
             var blockingLoop = modelCallsOnly ? new ClosedLoop(new ModelCalls(on, model).blocking(), request, CALLERS)
                     : new ClosedLoop(SampleRequests.pipeline(on), request, CALLERS, true)) {
            for (int warm = 0; warm < 3; warm++) { // C2 is still compiling after a couple of seconds of either side
                throughput(offLoop, 2_000);
                throughput(onLoop, 2_000);
                throughput(blockingLoop, 1_000);
            }
            var before = on.stats().counters(model);
            double[] offs = new double[rounds];
            double[] ons = new double[rounds];
            double[] offCpu = new double[rounds];
            double[] onCpu = new double[rounds];
            double[] offSwitches = new double[rounds];
            double[] onSwitches = new double[rounds];
            double[] onBatchThread = new double[rounds];
            double[] onWorkers = new double[rounds];
            double[] offWorkers = new double[rounds];
            double[] blockings = new double[rounds];
            double[] blockingCpu = new double[rounds];
            double[] blockingSwitches = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                Round c = throughput(blockingLoop, 1_000);
                blockings[r] = c.callsPerSecond();
                blockingCpu[r] = c.cpuMicrosPerCall();
                blockingSwitches[r] = c.switchesPerCall();
                Round a = throughput(offLoop, 1_000);
                Round b = throughput(onLoop, 1_000);
                offs[r] = a.callsPerSecond();
                ons[r] = b.callsPerSecond();
                offCpu[r] = a.cpuMicrosPerCall();
                onCpu[r] = b.cpuMicrosPerCall();
                offSwitches[r] = a.switchesPerCall();
                onSwitches[r] = b.switchesPerCall();
                onBatchThread[r] = b.batchThreadMicrosPerCall();
                onWorkers[r] = b.workersMicrosPerCall();
                offWorkers[r] = a.workersMicrosPerCall();
            }
            var stats = on.stats().counters(model);
            long rows = stats.batchedRows() - before.batchedRows(); // both "on" loops: an average over them
            System.out.printf("%-14s batching at %d callers (%s in flight through WorkerPool): off %.0f calls/s,"
                    + " on %.0f calls/s, ratio %.2f (medians of %d interleaved 1 s rounds; max-batch-size %d, max-queue-delay-us %d, %.1f rows"
                    + " per run)%n", model, CALLERS, modelCallsOnly ? "model calls" : "requests through Pipeline", median(offs), median(ons), median(ons) / median(offs), rounds, MAX_BATCH, DELAY_US,
                    (double) rows / (stats.batches() - before.batches()));
            System.out.printf("%-14s   process CPU per call: off %.2f us, on %.2f us (ratio %.2f; fastest rounds %.2f vs %.2f);"
                    + " context switches per call: off %.2f, on %.2f; batched session.run wall time per row %.2f us%n", model,
                    median(offCpu), median(onCpu), median(offCpu) / median(onCpu), min(offCpu), min(onCpu),
                    median(offSwitches), median(onSwitches), (stats.runNanos() - before.runNanos()) / 1e3 / rows);
            System.out.printf("%-14s   thread CPU per call: on: batch thread %.2f us, workers %.2f us; off: workers %.2f us%n",
                    model, median(onBatchThread), median(onWorkers), median(offWorkers));
            System.out.printf("%-14s   on with blocking handlers (each waiting request holds its worker, as before): %.0f calls/s,"
                    + " ratio to off %.2f; process CPU per call %.2f us; context switches per call %.2f%n", model,
                    median(blockings), median(blockings) / median(offs), median(blockingCpu), median(blockingSwitches));
        }
    }

    /** One throughput round: calls per second, and the process CPU time and context switches it took per call. */
    private record Round(double callsPerSecond, double cpuMicrosPerCall, double switchesPerCall,
                         double batchThreadMicrosPerCall, double workersMicrosPerCall) {}

    /** Runs the closed loop for {@code millis}; its figures are of that window only (start and drain excluded). */
    private static Round throughput(ClosedLoop loop, long millis) throws Exception {
        loop.start();
        Thread.sleep(50);
        long start = System.nanoTime();
        long cpuBefore = PROCESS.getProcessCpuTime();
        long switchesBefore = contextSwitches();
        long[] threadsBefore = threadCpu();
        long before = loop.completed();
        Thread.sleep(millis);
        long done = loop.completed() - before;
        long[] threadsAfter = threadCpu();
        long switches = contextSwitches() - switchesBefore;
        long cpu = PROCESS.getProcessCpuTime() - cpuBefore;
        double seconds = (System.nanoTime() - start) / 1e9;
        loop.stop();
        return new Round(done / seconds, cpu / 1e3 / done, (double) switches / done,
                (threadsAfter[0] - threadsBefore[0]) / 1e3 / done, (threadsAfter[1] - threadsBefore[1]) / 1e3 / done);
    }

    /**
     * CPU time so far of the batchers' threads ({@code lb-batch-*}) and of the worker pools' workers: which of them
     * the "on" side's time goes to (the pools of the loops not running are idle).
     */
    private static long[] threadCpu() {
        long[] total = new long[2];
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            int kind = name.startsWith("lb-batch-") ? 0 : name.startsWith("lightbridge-worker-") ? 1 : -1;
            if (kind >= 0) {
                total[kind] += Math.max(0, CPU.getThreadCpuTime(t.threadId()));
            }
        }
        return total;
    }

    /** Voluntary and involuntary context switches of every thread of this process so far (Linux /proc). */
    private static long contextSwitches() throws java.io.IOException {
        long total = 0;
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (var task : tasks.toList()) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(task.resolve("status"))) {
                        if (line.endsWith("ctxt_switches") || line.contains("ctxt_switches:")) {
                            total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return total;
    }

    private static double min(double[] xs) {
        return Arrays.stream(xs).min().orElseThrow();
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
