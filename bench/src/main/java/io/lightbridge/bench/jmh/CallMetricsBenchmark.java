package io.lightbridge.bench.jmh;

import io.lightbridge.acl.Action;
import io.lightbridge.metrics.CallMetrics;
import io.lightbridge.metrics.Metrics;
import io.lightbridge.metrics.MetricsConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/** What the pipeline's metrics cost per request: one labelled counter and two labelled histograms, 2 threads. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(2)
@Fork(1)
public class CallMetricsBenchmark {

    private CallMetrics calls;

    @Setup
    public void setUp() {
        calls = new Metrics(MetricsConfig.DEFAULT).callMetrics();
    }

    @Benchmark
    public void completedCall() {
        calls.completed("fraud-detector", "3", 200, 350_000, 420_000);
    }

    @Benchmark
    public void denial() {
        calls.denied(Action.INFER, "default deny");
    }
}
