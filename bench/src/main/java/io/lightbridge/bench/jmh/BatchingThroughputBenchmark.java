package io.lightbridge.bench.jmh;

import io.lightbridge.model.ModelRepository;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput with dynamic batching off and on (max-batch-size 32 or 64) at 64 concurrent callers through the server's
 * worker pool: model calls alone, and whole requests through the real pipeline (route, identity and policy stand-ins,
 * decode, validate, run, encode, audit disabled). The goal, batching ≥ 5 × the throughput for the breast-cancer MLP,
 * is the model's ({@code through=model-calls}); for whole requests each request's own work (JSON, validation), which
 * batching cannot share, is most of a request once the model's share is batched
 * (bench/results/2026-11-25-batching-async.md, session 4). {@link InterleavedRatio} runs the same comparisons with
 * the sides interleaved in one process, which a noisy machine needs.
 *
 * <p>A caller is one request in flight, not a thread (see {@link ClosedLoop}): 64 v2 infer requests are kept in flight
 * and each reply issues the next request, as 64 keep-alive connections to lighttpd would. With batching on, a request
 * waiting for its batch holds no worker; the worker whose call fills a batch runs it and encodes, audits and delivers
 * each of its replies (a batch that does not fill runs on the batch thread when due). With 64 callers,
 * {@code max-batch-size: 32} runs one batch while the callers of the previous one come back (see docs/models.md);
 * {@link InterleavedRatio} compares both sizes side by side.
 *
 * <p>The score to read is {@code calls} (replies per second, a JMH auxiliary counter); the benchmark method itself only
 * sleeps while the loop runs on the pool's threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class BatchingThroughputBenchmark {

    static final int CALLERS = 64;

    /** "off", or the {@code max-batch-size} of dynamic batching (with {@code max-queue-delay-us: 200}). */
    @Param({"off", "32", "64"})
    public String batching;

    /**
     * {@code model-calls}: each caller's request is the model call alone ({@link ModelCalls}: lease, input checks,
     * batcher or session, no protocol or audit), what batching shares and what the 5 × goal is read from;
     * {@code requests}: whole v2 requests through the pipeline.
     */
    @Param({"model-calls", "requests"})
    public String through;

    @Param({"breast-cancer", "digits"})
    public String model;

    private ModelRepository repository;
    private ClosedLoop loop;

    /** Replies counted per iteration; JMH reports them per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Replies {
        public long calls;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        repository = SampleRequests.repository(model, batching.equals("off") ? null
                : "dynamic-batching:\n  max-batch-size: " + Integer.parseInt(batching) + "\n  max-queue-delay-us: 200\n");
        var request = SampleRequests.v2Request(model);
        loop = through.equals("model-calls") ? new ClosedLoop(new ModelCalls(repository, model), request, CALLERS)
                : new ClosedLoop(SampleRequests.pipeline(repository), request, CALLERS);
        loop.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            loop.stop();
        } finally {
            loop.close();
            repository.close();
        }
    }

    @Benchmark
    public void replies(Replies replies) throws InterruptedException {
        long before = loop.completed();
        Thread.sleep(50);
        replies.calls += loop.completed() - before;
    }
}
