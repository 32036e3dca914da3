package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.load.Latency;
import io.lightbridge.bench.load.LoadResult;
import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.measure.Run;
import io.lightbridge.bench.measure.Stat;
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
import java.util.function.Function;

/**
 * Scenario 5: twice the peak rate of the small model, over enough connections that the excess really reaches
 * the server. Lightbridge should answer what it cannot serve in time with a fast 503 and keep the p99 of what it
 * serves under 50 ms; the Jetty service (c) is run the same way for comparison.
 *
 * <p>Every connection is a client that sends one request every {@link #CLIENT_INTERVAL} at (b)'s 2× peak: longer
 * than Lightbridge may take to serve or refuse one (its 50 ms queue deadline plus the model), so a connection is
 * free again when its next request is due and the generator holds no backlog of its own. Requests it still had to
 * send late, or never sent, are counted apart.
 */
public final class OverloadScenario implements Scenario {

    private static final int PERCENT = 200;
    private static final Duration CLIENT_INTERVAL = Duration.ofMillis(100);
    private static final int MIN_CONNECTIONS = 1024;
    /** lighttpd's limits below allow this many client connections, each with a backend connection for (c). */
    private static final int MAX_CONNECTIONS = 4096;
    private static final List<String> LIGHTTPD_LIMITS = List.of("server.max-fds = 16384",
            "server.max-connections = 8192");
    private static final Set<Integer> SHED = Set.of(503, 504);

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
        var peers = new Peers(bench.env(), dir, LIGHTTPD_LIMITS);
        try (Peer b = peers.lightbridge(models.lightbridgeConfig("b", 100_000));
             Peer c = peers.jettyBehindLighttpd(models.lightbridgeConfig("c", 100_000))) {
            var tb = ModelBench.infer(reference(), b, SmallModelScenario.MODEL, body, tokens);
            var tc = ModelBench.infer("(c) lighttpd → jetty", c, SmallModelScenario.MODEL, body, tokens);
            Probe.expectOk(tb);
            Probe.expectOk(tc);
            var comparison = new Comparison(bench, report, List.of(
                    new Comparison.Subject(tb, b, SHED),
                    new Comparison.Subject(tc, c, SHED)));
            comparison.warmUp();
            var peaks = comparison.peaks();
            if (!peaks.containsKey(reference())) {
                Goals.notMeasured(report, "(b) at 2× peak: p99 of the requests served < 50 ms, the rest refused fast");
                comparison.throwIfFailed();
                return;
            }
            double offered = peaks.get(reference()) * PERCENT / 100;
            int connections = connectionsFor(offered);
            report.notes().add(String.format(Locale.ROOT, "Peak: closed loop as in the other scenarios; then a"
                    + " constant %d %% of each target's peak over %d connections, the same for both: at (b)'s %,.0f"
                    + " req/s each connection is a client sending every %.0f ms, longer than (b) may take to serve or"
                    + " refuse a request, so the excess reaches the server instead of queueing in the generator."
                    + " 503 and 504 count as refused, not as errors.", PERCENT, connections, offered,
                    connections * 1000 / offered));
            report.notes().add(String.format(Locale.ROOT, "Admission: Lightbridge's defaults, as a production config"
                    + " ships them (16 workers, queue-capacity 256, 50 ms queue deadline). A full queue holds about"
                    + " %.0f ms of work at (b)'s peak, inside the deadline, so there is no reason to shrink it; a"
                    + " smaller queue would refuse more and serve slightly faster. (c) has no admission control:"
                    + " Jetty queues whatever lighttpd forwards. lighttpd limits raised for %d client connections: %s.",
                    256 * 1000 / peaks.get(reference()), connections, String.join(", ", LIGHTTPD_LIMITS)));
            comparison.openLoop(peaks, List.of(PERCENT), connections);
            report.tables().add(overloadTable(report, connections));
            Figure f = report.figure(reference(), "open", connections, PERCENT);
            if (f == null) {
                Goals.notMeasured(report, "(b) at 2× peak: p99 of the requests served < 50 ms, the rest refused fast");
                comparison.throwIfFailed();
                return;
            }
            Goals.add(report, "(b) at 2× peak: p99 of the requests served < 50 ms, the rest refused fast",
                    goalText(report, f), f.servedP99() != null && f.servedP99().median() < 50_000,
                    f.servedP99() == null ? "nothing served"
                            : String.format(Locale.ROOT, "served p99 %.1f ms over 50 ms", f.servedP99().median() / 1000 - 50));
            comparison.throwIfFailed();
        }
    }

    /** Enough clients that none is still busy when its next request is due, within lighttpd's raised limits. */
    static int connectionsFor(double offeredPerSecond) {
        int needed = (int) Math.ceil(offeredPerSecond * CLIENT_INTERVAL.toNanos() / 1e9 / 256) * 256;
        return Math.clamp(needed, MIN_CONNECTIONS, MAX_CONNECTIONS);
    }

    private String goalText(ScenarioReport report, Figure f) {
        var runs = runs(report, f.target(), f.connections());
        long all = runs.stream().mapToLong(r -> total(r.load())).sum();
        long refused = runs.stream().mapToLong(r -> refused(r.load())).sum();
        Stat refusedP99 = stat(runs, r -> r.load().rejected(), Latency::p99);
        return String.format(Locale.ROOT, "served p99 %s ms; %,d of %,d answers (%.1f %%) refused with p99 %s ms;"
                        + " %,d sent late, %,d never sent by the generator (%d repetitions)",
                ms(f.servedP99()), refused, all, 100.0 * refused / Math.max(1, all), ms(refusedP99), f.sentLate(),
                f.unsent(), runs.size());
    }

    /** Served, refused and what the generator could not send, apart: medians of the repetitions with spread. */
    private String overloadTable(ScenarioReport report, int connections) {
        var md = new StringBuilder();
        md.append("Overload, answers apart (open loop, ").append(PERCENT).append(" % of each target's peak, ")
                .append(connections).append(" connections; latency from each request's scheduled time, ms).")
                .append(" \"sent late\": the generator sent it more than 1 ms after it was due (its connection still")
                .append(" awaited an earlier answer); \"never sent\": not sent before the run's time bound.\n\n");
        md.append("| Target | offered req/s | served req/s | served p50 | served p99 | refused (503/504) | refused share |")
                .append(" refused p50 | refused p99 | sent late | never sent |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Figure f : report.figures()) {
            if (!f.phase().equals("open") || f.connections() != connections) {
                continue;
            }
            var runs = runs(report, f.target(), connections);
            long all = runs.stream().mapToLong(r -> total(r.load())).sum();
            var refusedByStatus = new java.util.TreeMap<String, Long>();
            f.statuses().forEach((status, n) -> {
                if (!status.startsWith("2")) {
                    refusedByStatus.put(status, n);
                }
            });
            long refused = refusedByStatus.values().stream().mapToLong(Long::longValue).sum();
            md.append("| ").append(f.target())
                    .append(" | ").append(count(f.offered()))
                    .append(" | ").append(count(f.throughput()))
                    .append(" | ").append(ms(stat(runs, r -> r.load().served(), Latency::p50)))
                    .append(" | ").append(ms(f.servedP99()))
                    .append(" | ").append(refused == 0 ? "0" : String.format(Locale.ROOT, "%,d %s", refused, refusedByStatus))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f %%", 100.0 * refused / Math.max(1, all)))
                    .append(" | ").append(ms(stat(runs, r -> r.load().rejected(), Latency::p50)))
                    .append(" | ").append(ms(f.rejectedP99()))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", f.sentLate()))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", f.unsent()))
                    .append(" |\n");
        }
        return md.toString();
    }

    private List<Run> runs(ScenarioReport report, String target, int connections) {
        return report.runs().stream().filter(r -> r.target().equals(target) && r.phase().equals("open")
                && r.connections() == connections && r.percentOfPeak() == PERCENT).toList();
    }

    private static long total(LoadResult r) {
        return r.statuses().values().stream().mapToLong(Long::longValue).sum();
    }

    private static long refused(LoadResult r) {
        return r.statuses().entrySet().stream().filter(e -> !e.getKey().startsWith("2"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private static Stat stat(List<Run> runs, Function<Run, Latency> latency, Function<Latency, Double> percentile) {
        return Stat.of(runs.stream().map(latency).map(l -> l == null ? null : percentile.apply(l)).toList());
    }

    private static String ms(Stat s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", s.median() / 1000, s.min() / 1000,
                s.max() / 1000);
    }

    private static String count(Stat s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%,.0f (%,.0f–%,.0f)", s.median(), s.min(), s.max());
    }
}
