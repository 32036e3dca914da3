package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.load.Target;
import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.peer.Peers;
import io.lightbridge.bench.report.Goal;
import io.lightbridge.bench.report.ScenarioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Scenario 1 (and issue 2's benchmark): what the bridge costs. lighttpd serving a static file of the same size
 * (a) against the module's health route and its no-work diagnostic route, which crosses to a Java worker thread
 * and back through the eventfd (b). Goal: the pooled route ≥ 0.9× static at 16 connections. The same no-work
 * route on (c), (d) and (e) shows what the alternatives pay before any model work: the proxy hop and the server.
 */
public final class OverheadScenario implements Scenario {

    static final String NOOP = "/lightbridge/diag/noop";
    static final String HEALTH = "/v2/health/live";
    private static final String STATIC = "(a) static file";
    private static final int GOAL_CONNECTIONS = 16;
    private static final double GOAL_RATIO = 0.9;

    @Override
    public String name() {
        return "overhead";
    }

    @Override
    public String title() {
        return "1. Bridge overhead: health and a no-work route through the worker pool (b) vs a static file (a)";
    }

    @Override
    public String reference() {
        return STATIC;
    }

    @Override
    public void run(Bench bench, ScenarioReport report) throws Exception {
        Path dir = Files.createDirectories(bench.workDir().resolve(name()));
        Path config = Files.writeString(dir.resolve("lightbridge.yaml"), """
                # scenario overhead: only the bridge and its diagnostic routes
                server:
                  diagnostics: true
                """);
        Path nodeConfig = Files.writeString(dir.resolve("node-peer.json"),
                "{\"diagnostics\": true, \"rules\": [], \"rolesClaim\": \"realm_access.roles\"}\n");
        var peers = new Peers(bench.env(), dir);
        try (Peer b = peers.lightbridge(config);
             Peer c = peers.jettyBehindLighttpd(config);
             Peer d = peers.nodeBehindLighttpd(nodeConfig);
             Peer e = peers.jetty(config)) {
            Target noop = Target.get("(b) noop via worker pool", b.host(), b.port(), NOOP);
            Target health = Target.get("(b) health", b.host(), b.port(), HEALTH);
            int noopSize = Probe.expectOk(noop).length;
            int healthSize = Probe.expectOk(health).length;
            peers.staticFile("noop-size.json", Probe.jsonOfSize(noopSize));
            try (Peer a = peers.staticLighttpd()) {
                Target stat = Target.get(STATIC, a.host(), a.port(), "/noop-size.json");
                Probe.expectOk(stat);
                report.notes().add("Response bodies: static %d B, noop %d B, health %d B; the module's answers also carry "
                        .formatted(noopSize, noopSize, healthSize)
                        + "X-Request-Id and Content-Type, the static file ETag/Last-Modified/Accept-Ranges.");
                report.notes().add("All GET, keep-alive, one wrk thread (-t1) and the server on the same 2 cores.");
                var others = List.of(
                        Target.get("(c) noop, lighttpd → jetty", c.host(), c.port(), NOOP),
                        Target.get("(d) noop, lighttpd → node", d.host(), d.port(), NOOP),
                        Target.get("(e) noop, jetty", e.host(), e.port(), NOOP));
                for (Target t : others) {
                    Probe.expectOk(t);
                }
                report.notes().add("(c), (d), (e) answer the same no-work route (GET " + NOOP + ", same body): "
                        + "Jetty runs the Lightbridge pipeline on its own threads, Node.js answers from its event loop;"
                        + " (c) and (d) go through lighttpd mod_proxy, a new backend connection per request.");
                var comparison = new Comparison(bench, report, List.of(
                        new Comparison.Subject(stat, a),
                        new Comparison.Subject(health, b, Set.of(503, 504)),
                        new Comparison.Subject(noop, b, Set.of(503, 504)),
                        new Comparison.Subject(others.get(0), c, Set.of(503, 504)),
                        new Comparison.Subject(others.get(1), d),
                        new Comparison.Subject(others.get(2), e, Set.of(503, 504))));
                comparison.warmUp();
                var peaks = comparison.peaks();
                comparison.openLoop(peaks, bench.options().loadPercents());
                goal(bench, report, stat.label(), noop.label());
                if (bench.options().profile()) {
                    comparison.profile(new Comparison.Subject(noop, b), GOAL_CONNECTIONS);
                }
                comparison.throwIfFailed();
            }
        }
    }

    private static void goal(Bench bench, ScenarioReport report, String staticLabel, String noopLabel) {
        int c = bench.options().closedConnections().contains(GOAL_CONNECTIONS) ? GOAL_CONNECTIONS
                : bench.options().closedConnections().getFirst();
        Figure s = report.figure(staticLabel, "closed", c, 0);
        Figure n = report.figure(noopLabel, "closed", c, 0);
        if (s == null || n == null) {
            Goals.notMeasured(report, "no-work route through the worker pool ≥ 0.9× static (a), 16 connections");
            return;
        }
        double ratio = n.throughput().median() / s.throughput().median();
        String measured = "%.0f vs %.0f req/s at %d connections = %.2f× (spread noop %.0f–%.0f, static %.0f–%.0f)"
                .formatted(n.throughput().median(), s.throughput().median(), c, ratio, n.throughput().min(),
                        n.throughput().max(), s.throughput().min(), s.throughput().max());
        report.goals().add(new Goal(report.name(), "no-work route through the worker pool ≥ 0.9× static (a), 16 connections",
                measured, ratio >= GOAL_RATIO,
                ratio >= GOAL_RATIO ? "" : "%.0f %% short of 0.9×".formatted((GOAL_RATIO - ratio) / GOAL_RATIO * 100)));
    }
}
