package io.lightbridge.bench.scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.bench.Bench;
import io.lightbridge.bench.load.Target;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.peer.Peers;
import io.lightbridge.bench.report.ScenarioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scenarios 2 and 3: the breast-cancer MLP behind a bearer token, on all five peers at once — (a) a static file of
 * the answer's size as the floor, (b) Lightbridge, (c) lighttpd → Jetty, (d) lighttpd → Node.js, (e) Jetty.
 * With {@code freshTokens} every request carries another token and Lightbridge's validated-token cache is off, so
 * each request pays for an RS256 signature check on every peer.
 */
public final class SmallModelScenario implements Scenario {

    static final String MODEL = "breast-cancer";
    private static final int FRESH_TOKENS = 2000;
    private final boolean freshTokens;

    public SmallModelScenario(boolean freshTokens) {
        this.freshTokens = freshTokens;
    }

    @Override
    public String name() {
        return freshTokens ? "fresh-token" : "small-model";
    }

    @Override
    public String title() {
        return freshTokens ? "3. Small model (breast-cancer MLP), a fresh token on every request"
                : "2. Small model (breast-cancer MLP), authenticated with a cached token";
    }

    @Override
    public String reference() {
        return "(b) lightbridge";
    }

    @Override
    public void run(Bench bench, ScenarioReport report) throws Exception {
        Path dir = Files.createDirectories(bench.workDir().resolve(name()));
        var models = ModelBench.prepare(bench, dir, Map.of());
        int cache = freshTokens ? 0 : 100_000;
        List<String> tokens = models.issuer().tokens(freshTokens ? FRESH_TOKENS : 1, Duration.ofMinutes(55));
        byte[] body = models.inferBody(MODEL);
        var peers = new Peers(bench.env(), dir);
        try (Peer b = peers.lightbridge(models.lightbridgeConfig("b", cache));
             Peer c = peers.jettyBehindLighttpd(models.lightbridgeConfig("c", cache));
             Peer d = peers.nodeBehindLighttpd(models.nodeConfig());
             Peer e = peers.jetty(models.lightbridgeConfig("e", cache))) {
            var targets = List.of(
                    ModelBench.infer("(b) lightbridge", b, MODEL, body, tokens),
                    ModelBench.infer("(c) lighttpd → jetty", c, MODEL, body, tokens),
                    ModelBench.infer("(d) lighttpd → node", d, MODEL, body, tokens),
                    ModelBench.infer("(e) jetty", e, MODEL, body, tokens));
            byte[] answer = sameAnswerEverywhere(targets, report);
            peers.staticFile("answer-size.json", Probe.jsonOfSize(answer.length));
            try (Peer a = peers.staticLighttpd()) {
                Target floor = Target.get("(a) static file", a.host(), a.port(), "/answer-size.json");
                notes(report, body, answer, bench.options().auditDurability());
                var subjects = new ArrayList<Comparison.Subject>();
                subjects.add(new Comparison.Subject(floor, a));
                List<Peer> servers = List.of(b, c, d, e);
                for (int i = 0; i < targets.size(); i++) {
                    subjects.add(new Comparison.Subject(targets.get(i), servers.get(i), Set.of(503, 504)));
                }
                var comparison = new Comparison(bench, report, subjects);
                comparison.warmUp();
                var peaks = comparison.peaks();
                comparison.openLoop(peaks, bench.options().loadPercents());
                if (!freshTokens) {
                    int conns = Goals.goalConnections(bench.options().closedConnections());
                    Goals.throughputAtLeast(report, "(b) lightbridge", "(c) lighttpd → jetty", conns, 2);
                    Goals.throughputAtLeast(report, "(b) lightbridge", "(d) lighttpd → node", conns, 3);
                    Goals.p50AtMost(report, "(b) lightbridge", "(c) lighttpd → jetty", conns, 0.5);
                    if (bench.options().loadPercents().contains(50)) {
                        Goals.openLoopP99AtMost(report, "(b) lightbridge", bench.options().openConnections(), 50, 5);
                    }
                }
                comparison.throwIfFailed();
            }
        }
    }

    /** Every peer must answer the probe with 200 and the same prediction, or the comparison is meaningless. */
    private static byte[] sameAnswerEverywhere(List<Target> targets, ScenarioReport report) throws Exception {
        var json = new ObjectMapper();
        byte[] first = null;
        double reference = Double.NaN;
        for (Target t : targets) {
            byte[] answer = Probe.expectOk(t);
            double p = json.readTree(answer).path("outputs").path(0).path("data").path(0).asDouble(Double.NaN);
            if (first == null) {
                first = answer;
                reference = p;
            } else if (Double.isNaN(p) || Math.abs(p - reference) > 1e-4) {
                throw new BenchFailure(t.label() + " predicts " + p + " where " + targets.getFirst().label()
                        + " predicts " + reference + ": the peers do not run the same model");
            }
            report.notes().add(t.label() + " answers " + answer.length + " B, prediction " + p);
        }
        return first;
    }

    private void notes(ScenarioReport report, byte[] body, byte[] answer, String auditDurability) {
        report.notes().add("Request: POST /v2/models/" + MODEL + "/infer, " + body.length + " B JSON (one row of the"
                + " model's reference.json), Authorization: Bearer RS256 token from the run's own key (JWKS file"
                + " shared by all peers); the static file (a) has the size of (b)'s answer, " + answer.length + " B.");
        report.notes().add(freshTokens
                ? "Each request carries another of " + FRESH_TOKENS + " distinct tokens, in turn; Lightbridge runs with"
                  + " identity.token-cache-size: 0, so (b), (c), (e) verify the signature on every request, as jose"
                  + " in (d) always does."
                : "One token for every request: Lightbridge (b, c, e) validates it once and then answers from its"
                  + " validated-token cache; jose in (d) has no such cache and verifies the RS256 signature every time.");
        report.notes().add("Differences: (c) and (d) pass through lighttpd mod_proxy, which opens a new backend"
                + " connection per request (Connection: close). Audit: Lightbridge writes its hash-chained audit log"
                + " with durability " + auditDurability + " (sync: group commit, fsync per batch;"
                + " async: written off the request path, no fsync); the Node.js peer writes the same line (same fields,"
                + " same SHA-256 chain) with one synchronous write per request and no fsync. Node.js runs one process"
                + " (single-threaded event loop, ORT intra-op 1) — how it is usually deployed per container.");
    }
}
