package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.peer.Peers;
import io.lightbridge.bench.report.ScenarioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scenario 4: the heavier digits CNN through Lightbridge (b), once as configured by default (one request per
 * session run) and once with dynamic batching (concurrent requests run as one batch), plus the Node.js peer (d)
 * running the same model one request at a time.
 */
public final class DigitsScenario implements Scenario {

    static final String MODEL = "digits";
    static final String BATCHING = """
            # dynamic batching for the benchmark: up to 32 concurrent requests in one session run
            dynamic-batching:
              max-batch-size: 32
              max-queue-delay-us: 100
            """;

    @Override
    public String name() {
        return "digits";
    }

    @Override
    public String title() {
        return "4. Heavier model (digits CNN), with and without dynamic batching";
    }

    @Override
    public String reference() {
        return "(b) lightbridge, no batching";
    }

    @Override
    public void run(Bench bench, ScenarioReport report) throws Exception {
        Path dir = Files.createDirectories(bench.workDir().resolve(name()));
        var plain = ModelBench.prepare(bench, dir.resolve("plain"), Map.of());
        var batched = ModelBench.prepare(bench, dir.resolve("batched"), Map.of(MODEL, BATCHING));
        byte[] body = plain.inferBody(MODEL);
        var peers = new Peers(bench.env(), dir);
        try (Peer b = peers.lightbridge(plain.lightbridgeConfig("b", 100_000));
             Peer bb = peers.lightbridge(batched.lightbridgeConfig("b-batched", 100_000));
             Peer d = peers.nodeBehindLighttpd(plain.nodeConfig())) {
            var targets = List.of(
                    ModelBench.infer(reference(), b, MODEL, body, plain.issuer().tokens(1, Duration.ofMinutes(55))),
                    ModelBench.infer("(b) lightbridge, dynamic batching", bb, MODEL, body,
                            batched.issuer().tokens(1, Duration.ofMinutes(55))),
                    ModelBench.infer("(d) lighttpd → node", d, MODEL, body, plain.issuer().tokens(1, Duration.ofMinutes(55))));
            for (var t : targets) {
                Probe.expectOk(t);
            }
            report.notes().add("Request: POST /v2/models/digits/infer, one 1×1×8×8 image from the model's reference.json, "
                    + body.length + " B JSON, cached bearer token. Batching config (models/<name>/config.yaml): "
                    + BATCHING.lines().skip(1).map(String::strip).reduce((x, y) -> x + " " + y).orElse(""));
            report.notes().add("Batching can only help when requests overlap: compare at the higher connection counts.");
            var comparison = new Comparison(bench, report, List.of(
                    new Comparison.Subject(targets.get(0), b, Set.of(503, 504)),
                    new Comparison.Subject(targets.get(1), bb, Set.of(503, 504)),
                    new Comparison.Subject(targets.get(2), d)));
            comparison.warmUp();
            var peaks = comparison.peaks();
            comparison.openLoop(peaks, bench.options().loadPercents());
            comparison.throwIfFailed();
        }
    }
}
