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
    /** Lightbridge's default server section (ServerSettings), which the scenario's configs leave as they are. */
    private static final int QUEUE_CAPACITY = 256;
    private static final int DEADLINE_MILLIS = 50;

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
            report.notes().add(admissionNote(peaks.get(reference()), connections));
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

    /**
     * Lightbridge runs its default admission, as a production config ships it. Whether a full queue fits in the
     * deadline decides what the excess gets: a 503 at once, or a 504 after waiting out the deadline.
     */
    private static String admissionNote(double peak, int connections) {
        double fullQueueMillis = QUEUE_CAPACITY * 1000 / peak;
        String fit = fullQueueMillis < DEADLINE_MILLIS
                ? "inside the deadline, so what does not fit is refused with a 503 at once and a smaller queue would"
                        + " only refuse more to serve slightly faster"
                : String.format(Locale.ROOT, "more than the deadline, so requests at the back of a full queue wait"
                        + " it out and get a 504; a queue-capacity of about %.0f (half the deadline's worth at this"
                        + " peak) would refuse them with a 503 at once instead", peak * DEADLINE_MILLIS / 2 / 1000);
        return String.format(Locale.ROOT, "Admission: Lightbridge's defaults (16 workers, queue-capacity %d, %d ms"
                        + " queue deadline). A full queue holds about %.0f ms of work at (b)'s peak, %s. (c) has no"
                        + " admission control: Jetty queues whatever lighttpd forwards, and a 503 or 504 of (c) would be"
                        + " lighttpd's mod_proxy giving up on the backend. lighttpd limits raised for %d"
                        + " client connections: %s.", QUEUE_CAPACITY, DEADLINE_MILLIS, fullQueueMillis, fit,
                connections, String.join(", ", LIGHTTPD_LIMITS));
    }

    /** Enough clients that none is still busy when its next request is due, within lighttpd's raised limits. */
    static int connectionsFor(double offeredPerSecond) {
        int needed = (int) Math.ceil(offeredPerSecond * CLIENT_INTERVAL.toNanos() / 1e9 / 256) * 256;
        return Math.clamp(needed, MIN_CONNECTIONS, MAX_CONNECTIONS);
    }

    private String goalText(ScenarioReport report, Figure f) {
        var runs = runs(report, f.target(), f.connections());
        long all = runs.stream().mapToLong(r -> total(r.load())).sum();
        var text = new StringBuilder(String.format(Locale.ROOT, "served p99 %s ms", ms(f.servedP99())));
        for (String status : List.of("503", "504")) {
            long n = f.statuses().getOrDefault(status, 0L);
            text.append(String.format(Locale.ROOT, "; %s: %,d of %,d answers (%.1f %%)", status, n, all,
                    100.0 * n / Math.max(1, all)));
            if (n > 0) {
                text.append(" with p99 ").append(ms(stat(runs, status, Latency::p99))).append(" ms");
            }
        }
        return text.append(String.format(Locale.ROOT, "; %,d sent late, %,d never sent by the generator (%d"
                + " repetitions)", f.sentLate(), f.unsent(), runs.size())).toString();
    }

    /** Served, refused and what the generator could not send, apart: medians of the repetitions with spread. */
    private String overloadTable(ScenarioReport report, int connections) {
        var md = new StringBuilder();
        md.append("Overload, answers apart (open loop, ").append(PERCENT).append(" % of each target's peak, ")
                .append(connections).append(" connections; latency from each request's scheduled time, ms).")
                .append(" \"sent late\": the generator sent it more than 1 ms after it was due (its connection still")
                .append(" awaited an earlier answer); \"never sent\": not sent before the run's time bound.\n\n");
        md.append("| Target | offered req/s | served req/s | served p50 | served p99 | 503 queue full | 503 p50 |")
                .append(" 503 p99 | 504 deadline passed | 504 p50 | 504 p99 | sent late | never sent |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Figure f : report.figures()) {
            if (!f.phase().equals("open") || f.connections() != connections) {
                continue;
            }
            var runs = runs(report, f.target(), connections);
            long all = runs.stream().mapToLong(r -> total(r.load())).sum();
            md.append("| ").append(f.target())
                    .append(" | ").append(count(f.offered()))
                    .append(" | ").append(count(f.throughput()))
                    .append(" | ").append(ms(stat(runs, r -> r.load().served(), Latency::p50)))
                    .append(" | ").append(ms(f.servedP99()));
            for (String status : List.of("503", "504")) {
                long n = f.statuses().getOrDefault(status, 0L);
                md.append(" | ").append(String.format(Locale.ROOT, "%,d (%.1f %%)", n, 100.0 * n / Math.max(1, all)))
                        .append(" | ").append(ms(stat(runs, status, Latency::p50)))
                        .append(" | ").append(ms(stat(runs, status, Latency::p99)));
            }
            md.append(" | ").append(String.format(Locale.ROOT, "%,d", f.sentLate()))
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

    private static Stat stat(List<Run> runs, Function<Run, Latency> latency, Function<Latency, Double> percentile) {
        return Stat.of(runs.stream().map(latency).map(l -> l == null ? null : percentile.apply(l)).toList());
    }

    /** A percentile of the answers with {@code status}, over the repetitions that had any. */
    private static Stat stat(List<Run> runs, String status, Function<Latency, Double> percentile) {
        return stat(runs, r -> r.load().rejectedByStatus().get(status), percentile);
    }

    private static String ms(Stat s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", s.median() / 1000, s.min() / 1000,
                s.max() / 1000);
    }

    private static String count(Stat s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%,.0f (%,.0f–%,.0f)", s.median(), s.min(), s.max());
    }
}
