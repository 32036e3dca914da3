package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.load.LoadResult;
import io.lightbridge.bench.load.Target;
import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.measure.Run;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.peer.Peers;
import io.lightbridge.bench.report.ScenarioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Scenario 6: a slow model next to static files in the same lighttpd. Static latency is measured at a constant
 * rate with the module idle, then again while 64 connections keep the diagnostic echo route busy with 200 ms
 * sleeps on every worker (the slow model). lighttpd's event loop never waits for Java, so static latency must not
 * move.
 */
public final class SlowNeighbourScenario implements Scenario {

    private static final double STATIC_RATE = 2_000;
    private static final int SLOW_CONNECTIONS = 64;
    private static final String SLOW_PATH = "/lightbridge/diag/echo?sleep-ms=200";
    private static final double ALLOWED_MOVE_MS = 1.0;

    @Override
    public String name() {
        return "slow-neighbour";
    }

    @Override
    public String title() {
        return "6. A slow model next to static files: static latency must not move";
    }

    @Override
    public String reference() {
        return "(b) static file, module idle";
    }

    @Override
    public void run(Bench bench, ScenarioReport report) throws Exception {
        Path dir = Files.createDirectories(bench.workDir().resolve(name()));
        Path config = Files.writeString(dir.resolve("lightbridge.yaml"), "server:\n  diagnostics: true\n");
        var peers = new Peers(bench.env(), dir);
        peers.staticFile("static.json", Probe.jsonOfSize(1024));
        try (Peer b = peers.lightbridge(config)) {
            Target alone = Target.get(reference(), b.host(), b.port(), "/static.json");
            Target beside = alone.withLabel("(b) static file, next to the slow model");
            Target slow = new Target("(b) echo sleeping 200 ms", b.host(), b.port(), "POST", SLOW_PATH,
                    List.of("Content-Type", "application/octet-stream"), "slow".getBytes(), List.of());
            Probe.expectOk(alone);
            Probe.expectOk(slow);
            report.notes().add(("Static file: 1 KiB from (b)'s own lighttpd at a constant %.0f req/s over %d connections."
                    + " Slow model: wrk with %d connections on POST %s (every Java worker busy sleeping; the rest"
                    + " queue and get 503/504 at the deadline), running through the whole second measurement.")
                    .formatted(STATIC_RATE, bench.options().openConnections(), SLOW_CONNECTIONS, SLOW_PATH));
            var comparison = new Comparison(bench, report, List.of(new Comparison.Subject(alone, b)));
            var runs = new ArrayList<Run>();
            for (int rep = 1; rep <= bench.options().repetitions(); rep++) {
                runs.add(comparison.openRun(new Comparison.Subject(alone, b), STATIC_RATE, 0, rep,
                        bench.options().openConnections()));
            }
            Duration slowFor = bench.options().duration().plusSeconds(3).multipliedBy(bench.options().repetitions() + 1);
            try (var background = Executors.newSingleThreadExecutor()) {
                Future<LoadResult> slowLoad = background.submit(() ->
                        bench.wrk().run(slow, SLOW_CONNECTIONS, slowFor, Duration.ofSeconds(10)));
                Thread.sleep(2_000); // every worker busy before measuring
                for (int rep = 1; rep <= bench.options().repetitions(); rep++) {
                    runs.add(comparison.openRun(new Comparison.Subject(beside, b), STATIC_RATE, 0, rep,
                            bench.options().openConnections()));
                }
                LoadResult s = slowLoad.get();
                report.extra().put("slow route during the measurement", String.format(Locale.ROOT,
                        "%.0f answers/s over %d connections, answers %s, p50 %.1f ms", s.throughput(),
                        SLOW_CONNECTIONS, s.statuses(), s.latency().p50() / 1000));
            } catch (ExecutionException e) {
                throw new BenchFailure("the slow-model load (wrk) failed: " + e.getCause().getMessage(), e.getCause());
            }
            int c = bench.options().openConnections();
            Figure fa = comparison.figure(runs, alone.label(), "open", c, 0);
            Figure fb = comparison.figure(runs, beside.label(), "open", c, 0);
            double moveP99 = (fb.p99().median() - fa.p99().median()) / 1000;
            double moveP50 = (fb.p50().median() - fa.p50().median()) / 1000;
            Goals.add(report, "static latency does not move next to a slow model (p50 and p99 within +%.0f ms)"
                            .formatted(ALLOWED_MOVE_MS),
                    String.format(Locale.ROOT, "p50 %s → %s ms, p99 %s → %s ms", Goals.ms(fa.p50()), Goals.ms(fb.p50()),
                            Goals.ms(fa.p99()), Goals.ms(fb.p99())),
                    moveP99 <= ALLOWED_MOVE_MS && moveP50 <= ALLOWED_MOVE_MS,
                    String.format(Locale.ROOT, "p50 moved %+.2f ms, p99 %+.2f ms", moveP50, moveP99));
        }
    }
}
