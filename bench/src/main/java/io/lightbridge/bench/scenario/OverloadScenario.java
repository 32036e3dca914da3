package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.peer.Peers;
import io.lightbridge.bench.report.ScenarioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scenario 5: twice the peak rate of the small model, over enough connections that the excess really reaches
 * the server. Lightbridge should answer what it cannot serve in time with a fast 503 and keep the p99 of what it
 * serves under 50 ms; the Jetty service (c) is run the same way for comparison.
 */
public final class OverloadScenario implements Scenario {

    private static final int CONNECTIONS = 256;
    private static final int PERCENT = 200;

    @Override
    public String name() {
        return "overload";
    }

    @Override
    public String title() {
        return "5. Overload at 2× peak: fast 503s, p99 of the requests served";
    }

    @Override
    public String reference() {
        return "(b) lightbridge";
    }

    @Override
    public void run(Bench bench, ScenarioReport report) throws Exception {
        Path dir = Files.createDirectories(bench.workDir().resolve(name()));
        var models = ModelBench.prepare(bench, dir, Map.of());
        var tokens = models.issuer().tokens(1, Duration.ofMinutes(55));
        byte[] body = models.inferBody(SmallModelScenario.MODEL);
        var peers = new Peers(bench.env(), dir);
        try (Peer b = peers.lightbridge(models.lightbridgeConfig("b", 100_000));
             Peer c = peers.jettyBehindLighttpd(models.lightbridgeConfig("c", 100_000))) {
            var tb = ModelBench.infer(reference(), b, SmallModelScenario.MODEL, body, tokens);
            var tc = ModelBench.infer("(c) lighttpd → jetty", c, SmallModelScenario.MODEL, body, tokens);
            Probe.expectOk(tb);
            Probe.expectOk(tc);
            report.notes().add("Peak: closed loop as in the other scenarios; then a constant " + PERCENT + " % of that"
                    + " peak over " + CONNECTIONS + " connections (a generator with few connections would queue the"
                    + " excess itself and the server would never see it). 503 and 504 count as shed, not as errors.");
            var comparison = new Comparison(bench, report, List.of(
                    new Comparison.Subject(tb, b, Set.of(503, 504)),
                    new Comparison.Subject(tc, c, Set.of(503, 504))));
            comparison.warmUp();
            var peaks = comparison.peaks();
            comparison.openLoop(peaks, List.of(PERCENT), CONNECTIONS);
            Figure f = report.figure(reference(), "open", CONNECTIONS, PERCENT);
            if (f == null) {
                Goals.notMeasured(report, "(b) at 2× peak: p99 of the requests served < 50 ms, the rest refused fast");
                comparison.throwIfFailed();
            }
            long shed = f.statuses().entrySet().stream().filter(e -> !e.getKey().startsWith("2"))
                    .mapToLong(Map.Entry::getValue).sum();
            long all = f.statuses().values().stream().mapToLong(Long::longValue).sum();
            double servedP99 = f.servedP99() == null ? Double.NaN : f.servedP99().median() / 1000;
            String rejected = f.rejectedP99() == null ? "none rejected"
                    : String.format(Locale.ROOT, "rejected answered with p99 %.2f ms", f.rejectedP99().median() / 1000);
            Goals.add(report, "(b) at 2× peak: p99 of the requests served < 50 ms, the rest refused fast",
                    String.format(Locale.ROOT, "served p99 %.2f ms; %d of %d (%.1f %%) refused %s; %s", servedP99,
                            shed, all, 100.0 * shed / Math.max(1, all), f.statuses(), rejected),
                    servedP99 < 50, String.format(Locale.ROOT, "served p99 %.1f ms over 50 ms", servedP99 - 50));
            comparison.throwIfFailed();
        }
    }
}
