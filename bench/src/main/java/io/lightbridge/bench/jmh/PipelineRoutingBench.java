package io.lightbridge.bench.jmh;

import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Json;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;
import java.time.Clock;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the pipeline itself costs on an open route, before identity, policy or a model do any work: routing
 * through {@link Router#firstOf}, the request id, the response with its header. The floor under every request.
 * Open routes never reach the authenticator, authorizer or audit trail, so they are not needed here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class PipelineRoutingBench {

    private Pipeline pipeline;
    private Request health;
    private Request unknown;

    @Setup
    public void setUp() {
        Response live = Response.json(200, "{\"live\":true}");
        Router health = r -> r.path().equals("/v2/health/live") ? new Route.Open(x -> live, true) : Route.NOT_FOUND;
        Router metadata = r -> r.path().equals("/v2") ? new Route.Open(x -> live, true) : Route.NOT_FOUND;
        pipeline = new Pipeline(Router.firstOf(metadata, health), null, null, null, Clock.systemUTC(), ServerLog.lines(System.err::println));
        this.health = new Request("GET", "/v2/health/live", "", Headers.of("Host", "localhost", "Accept", "*/*"),
                "127.0.0.1", null);
        this.unknown = new Request("GET", "/v2/nothing-here", "", Headers.of("Host", "localhost"), "127.0.0.1", null);
    }

    @Benchmark
    public Response openRoute() {
        return pipeline.handle(health);
    }

    @Benchmark
    public Response notFound() {
        return pipeline.handle(unknown);
    }

    @Benchmark
    public String jsonQuote() {
        return Json.quote("missing permission: infer on breast-cancer \"v2\"\n");
    }
}
