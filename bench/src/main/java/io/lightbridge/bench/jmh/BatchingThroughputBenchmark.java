package io.lightbridge.bench.jmh;

import io.lightbridge.model.InferenceResult;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.ModelLease;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.Tensor;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * 64 concurrent callers each scoring one row through the repository (validation, lease, batcher or direct run), with
 * dynamic batching off and on. Goal: batching ≥ 5 × the throughput for the breast-cancer MLP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(64)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class BatchingThroughputBenchmark {

    @Param({"off", "on"})
    public String batching;

    @Param({"breast-cancer", "digits"})
    public String model;

    private ModelRepository repository;
    private List<Tensor> inputs;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        repository = SampleRequests.repository(model, batching.equals("on")
                ? "dynamic-batching:\n  max-batch-size: 64\n  max-queue-delay-us: 200\n" : null);
        inputs = List.of(Tensor.ofFloats(SampleRequests.inputName(model), SampleRequests.shape(model), SampleRequests.row(model)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        repository.close();
    }

    @Benchmark
    public InferenceResult infer() throws ModelCallException {
        try (ModelLease lease = repository.acquire(model, null)) {
            return lease.version().infer(inputs, List.of());
        }
    }
}
