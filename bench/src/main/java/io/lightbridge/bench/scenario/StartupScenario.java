package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.load.Target;
import io.lightbridge.bench.measure.ProcessUsage;
import io.lightbridge.bench.measure.Stat;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.peer.Peers;
import io.lightbridge.bench.report.ScenarioReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 7: from starting the server processes to the first successful inference, and the servers' RSS after a
 * warm-up under load with both sample models loaded. Lightbridge (b) against the Jetty (c) and Node.js (d) set-ups.
 */
public final class StartupScenario implements Scenario {

    private static final Duration FIRST_ANSWER_WITHIN = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "startup";
    }

    @Override
    public String title() {
        return "7. Start-up: time to the first successful inference; RSS after warm-up";
    }

    @Override
    public String reference() {
        return "(b) lightbridge";
    }

    private interface Starter {
        Peer start() throws Exception;
    }

    @Override
    public void run(Bench bench, ScenarioReport report) throws Exception {
        Path dir = Files.createDirectories(bench.workDir().resolve(name()));
        var models = ModelBench.prepare(bench, dir, Map.of());
        var tokens = models.issuer().tokens(1, Duration.ofMinutes(55));
        byte[] body = models.inferBody(SmallModelScenario.MODEL);
        var peers = new Peers(bench.env(), dir);
        var starters = new LinkedHashMap<String, Starter>();
        starters.put(reference(), () -> peers.lightbridge(models.lightbridgeConfig("b", 100_000)));
        starters.put("(c) lighttpd → jetty", () -> peers.jettyBehindLighttpd(models.lightbridgeConfig("c", 100_000)));
        starters.put("(d) lighttpd → node", () -> peers.nodeBehindLighttpd(models.nodeConfig()));
        var firstAnswer = new LinkedHashMap<String, List<Double>>();
        var rss = new LinkedHashMap<String, List<Double>>();
        for (int rep = 1; rep <= bench.options().repetitions(); rep++) {
            for (var e : starters.entrySet()) {
                long t0 = System.nanoTime();
                try (Peer p = e.getValue().start()) {
                    Target t = ModelBench.infer(e.getKey(), p, SmallModelScenario.MODEL, body, tokens);
                    double seconds = untilFirstAnswer(t, t0);
                    bench.wrk().run(t, 16, bench.options().warmUp(), bench.options().timeout());
                    p.checkAlive();
                    double mib = ProcessUsage.rssMiB(p.pids());
                    firstAnswer.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(seconds);
                    rss.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(mib);
                    bench.log(String.format(Locale.ROOT, "startup rep %d %s: first inference after %.2f s, RSS %.0f MiB",
                            rep, e.getKey(), seconds, mib));
                }
            }
        }
        for (String peer : starters.keySet()) {
            Stat s = Stat.of(firstAnswer.get(peer));
            Stat m = Stat.of(rss.get(peer));
            report.extra().put(peer, String.format(Locale.ROOT,
                    "first inference after %.2f s (%.2f–%.2f), RSS after %d s of load %.0f MiB (%.0f–%.0f), all server processes",
                    s.median(), s.min(), s.max(), bench.options().warmUp().toSeconds(), m.median(), m.min(), m.max()));
        }
        report.extra().put("raw first-inference seconds", firstAnswer);
        report.extra().put("raw RSS MiB", rss);
        Stat start = Stat.of(firstAnswer.get(reference()));
        Stat mem = Stat.of(rss.get(reference()));
        Goals.add(report, "(b) first inference ≤ 2 s after starting lighttpd",
                String.format(Locale.ROOT, "%.2f s (%.2f–%.2f)", start.median(), start.min(), start.max()),
                start.median() <= 2, String.format(Locale.ROOT, "%.2f s over", start.median() - 2));
        Goals.add(report, "(b) lighttpd + JVM + both sample models: RSS ≤ 200 MB after warm-up",
                String.format(Locale.ROOT, "%.0f MiB (%.0f–%.0f)", mem.median(), mem.min(), mem.max()),
                mem.median() * 1.048576 <= 200, String.format(Locale.ROOT, "%.0f MB over", mem.median() * 1.048576 - 200));
        report.notes().add("Timed from just before the processes are spawned until the first POST /v2/models/"
                + SmallModelScenario.MODEL + "/infer answers 200 (polled every 10 ms). JVMs run " + Peers.JVM_OPTIONS
                + ": the heap starts at 64 MiB and grows only when the live set needs it; RSS counts what load has"
                + " touched (the young generation, a third of the committed heap, is cycled through by every"
                + " request's garbage).");
    }

    private static double untilFirstAnswer(Target t, long t0) throws IOException, InterruptedException {
        long deadline = t0 + FIRST_ANSWER_WITHIN.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                var r = Probe.send(t);
                if (r.statusCode() == 200) {
                    return (System.nanoTime() - t0) / 1e9;
                }
                last = "status " + r.statusCode();
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(10);
        }
        throw new BenchFailure(t.label() + " gave no successful inference within " + FIRST_ANSWER_WITHIN + " (last: " + last + ")");
    }
}
