package io.lightbridge.bench.jmh;

import io.lightbridge.acl.Action;
import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditConfig;
import io.lightbridge.audit.AuditMetrics;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.audit.AuditTrails;
import io.lightbridge.audit.Durability;
import io.lightbridge.auth.Principal;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.ModelHandler;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the audit trail costs one guarded request through the real {@link Pipeline} (identity and model stubbed to
 * constants so that only routing, policy, SHA-256 of the body and the audit record remain), for each durability,
 * with 8 request threads sharing the writer. The log goes to a directory on the real disk (fsync is real).
 * At tear-down the group-commit factor (records per fsync) is printed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(8)
@Fork(1)
public class AuditPerRequestBenchmark {

    @Param({"sync", "async", "off"})
    public String durability;

    /**
     * CPU the stub model burns per call (JMH tokens; 20000 ≈ 30-40 µs here), standing in for inference. With no
     * model work at all, 8 threads on 2 cores produce records faster than one writer can hash and write them, and
     * async rightly answers 503 once its buffer is full; that is overload, not a cost per request.
     */
    @Param({"20000"})
    public long modelWork;

    private Path dir;
    private AuditTrail trail;
    private Pipeline pipeline;
    private Request request;
    private final LongAdder records = new LongAdder();
    private final LongAdder batches = new LongAdder();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "target")).toAbsolutePath(), "audit-bench");
        var config = new AuditConfig(Durability.ofWireName(durability), dir.toString(), null, "64MiB", null, 65536,
                null, null, null);
        trail = AuditTrails.create(config, Clock.systemUTC(), ServerLog.NONE, new AuditMetrics() {
            @Override
            public void written(int n, long writeNanos, long lagNanos) {
                records.add(n);
                batches.increment();
            }

            @Override
            public void writeFailed() {}

            @Override
            public void syslogFailed() {}
        });
        var principal = new Principal("dana", "https://idp", "web", Set.of("data-science"), Set.of(), Set.of(), "jti-1",
                null, Map.of());
        Response ok = Response.json(200, "{\"outputs\":[0.93]}");
        long work = modelWork;
        ModelHandler model = (req, p) -> {
            Blackhole.consumeCPU(work);
            return ModelHandler.Outcome.of(ok, "3");
        };
        var route = new Route.Guarded(Action.INFER, "fraud-detector", null, model);
        pipeline = new Pipeline(req -> route, req -> principal, (p, a, r) -> new Decision(true, "ds-use"), trail,
                Clock.systemUTC(), ServerLog.NONE);
        request = new Request("POST", "/v2/models/fraud-detector/infer", "",
                Headers.of("Authorization", "Bearer x", "X-Request-Id", "bench-1"), "127.0.0.1",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,30],\"datatype\":\"FP32\",\"data\":[0.1,0.2,0.3]}]}"
                        .getBytes(StandardCharsets.UTF_8));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        trail.close();
        if (batches.sum() > 0) {
            System.out.printf("%n[%s] %d records in %d fsyncs: %.1f records per fsync%n", durability, records.sum(),
                    batches.sum(), (double) records.sum() / batches.sum());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public int guardedCall() {
        Response r = pipeline.handle(request);
        if (r.status() != 200) {
            throw new IllegalStateException("status " + r.status() + ": " + r.bodyText());
        }
        return r.status();
    }
}
