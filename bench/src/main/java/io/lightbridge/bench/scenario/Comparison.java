package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.load.LoadResult;
import io.lightbridge.bench.load.OpenLoop;
import io.lightbridge.bench.load.Target;
import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.measure.ProcessUsage;
import io.lightbridge.bench.measure.Run;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.report.ScenarioReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures several targets side by side in one run: warm-up, closed-loop peak at each connection count, then
 * constant-rate runs at percentages of each target's own peak. Repetitions are interleaved (rep 1 of every target,
 * then rep 2 …) so drift on a shared machine hits all targets alike. Any error fails the run, except the
 * statuses a target may shed load with once it is offered at least its peak.
 */
public final class Comparison {

    /** A target and the peer serving it (whose processes are measured). */
    public record Subject(Target target, Peer peer, Set<Integer> sheddingStatuses) {
        public Subject(Target target, Peer peer) {
            this(target, peer, Set.of());
        }
    }

    private final Bench bench;
    private final ScenarioReport report;
    private final List<Subject> subjects;

    public Comparison(Bench bench, ScenarioReport report, List<Subject> subjects) {
        this.bench = bench;
        this.report = report;
        this.subjects = List.copyOf(subjects);
        for (Subject s : subjects) {
            report.peerSettings().putIfAbsent(s.peer().label(), s.peer().settings());
        }
    }

    /** Closed-loop load on every target, not recorded: JIT, caches and connection pools settle first. */
    public void warmUp() throws IOException, InterruptedException {
        Duration d = bench.options().warmUp();
        for (Subject s : subjects) {
            bench.log(report.name() + ": warm-up " + d.toSeconds() + " s on " + s.target().label());
            LoadResult r = bench.wrk().run(s.target(), 16, d, bench.options().timeout());
            s.peer().checkAlive();
            if (r.errors() > 0) {
                throw new BenchFailure(s.target().label() + " answered with errors during warm-up: " + r.statuses()
                        + " — check " + s.target().url());
            }
        }
    }

    /** Closed loop at each connection count; returns each target's peak (best median req/s). */
    public Map<String, Double> peaks() throws IOException, InterruptedException {
        var runs = new ArrayList<Run>();
        for (int rep = 1; rep <= bench.options().repetitions(); rep++) {
            for (int c : bench.options().closedConnections()) {
                for (Subject s : subjects) {
                    var before = ProcessUsage.snapshot(s.peer().pids());
                    LoadResult r = bench.wrk().run(s.target(), c, bench.options().duration(), bench.options().timeout());
                    var usage = ProcessUsage.between(before, ProcessUsage.snapshot(s.peer().pids()), r.throughput() * r.seconds());
                    s.peer().checkAlive();
                    if (r.errors() > 0) {
                        throw new BenchFailure(s.target().label() + " answered with errors at " + c
                                + " connections (closed loop): " + r.statuses());
                    }
                    runs.add(record(s, "closed", rep, c, 0, r, usage));
                    bench.log("%s: closed rep %d c=%d %s: %.0f req/s p50 %.0f µs p99 %.0f µs".formatted(report.name(),
                            rep, c, s.target().label(), r.throughput(), r.latency().p50(), r.latency().p99()));
                }
            }
        }
        var peaks = new LinkedHashMap<String, Double>();
        for (Subject s : subjects) {
            for (int c : bench.options().closedConnections()) {
                Figure f = figure(runs, s.target().label(), "closed", c, 0);
                peaks.merge(s.target().label(), f.throughput().median(), Math::max);
            }
        }
        return peaks;
    }

    /** Constant-rate runs at each percentage of each target's peak, over the configured open-loop connections. */
    public void openLoop(Map<String, Double> peaks, List<Integer> percents) throws IOException, InterruptedException {
        openLoop(peaks, percents, bench.options().openConnections());
    }

    /**
     * Constant-rate runs over {@code connections} connections. A generator never has more requests in flight than
     * connections, so overload runs need many: only then does the peer see the excess and have to shed it.
     */
    public void openLoop(Map<String, Double> peaks, List<Integer> percents, int connections)
            throws IOException, InterruptedException {
        warmUpGenerator(peaks);
        var runs = new ArrayList<Run>();
        for (int pct : percents) {
            for (int rep = 1; rep <= bench.options().repetitions(); rep++) {
                for (Subject s : subjects) {
                    double rate = peaks.get(s.target().label()) * pct / 100.0;
                    runs.add(openRun(s, rate, pct, rep, connections));
                }
            }
            for (Subject s : subjects) {
                figure(runs, s.target().label(), "open", connections, pct);
            }
        }
    }

    /**
     * The generator runs in this JVM: a short unrecorded run at a quarter of each peak compiles its hot loop,
     * so the first recorded run does not charge the generator's JIT warm-up to the peer.
     */
    private void warmUpGenerator(Map<String, Double> peaks) throws InterruptedException {
        for (Subject s : subjects) {
            OpenLoop.run(s.target(), peaks.get(s.target().label()) / 4, bench.options().openConnections(),
                    Duration.ofSeconds(3), bench.options().timeout());
        }
    }

    /** One constant-rate run, checked and recorded (scenarios with their own schedules use this directly). */
    public Run openRun(Subject s, double rate, double percentOfPeak, int rep, int c)
            throws IOException, InterruptedException {
        var before = ProcessUsage.snapshot(s.peer().pids());
        LoadResult r = OpenLoop.run(s.target(), rate, c, bench.options().duration(), bench.options().timeout());
        var usage = ProcessUsage.between(before, ProcessUsage.snapshot(s.peer().pids()), r.throughput() * r.seconds());
        s.peer().checkAlive();
        checkOpenLoopErrors(s, r, percentOfPeak);
        bench.log("%s: open rep %d %.0f%% (%.0f req/s offered) %s: p50 %.0f µs p99 %.0f µs %s".formatted(report.name(),
                rep, percentOfPeak, rate, s.target().label(), r.latency().p50(), r.latency().p99(), r.statuses()));
        return record(s, "open", rep, c, percentOfPeak, r, usage);
    }

    private static void checkOpenLoopErrors(Subject s, LoadResult r, double percentOfPeak) {
        var unexpected = new LinkedHashMap<String, Long>();
        r.statuses().forEach((status, n) -> {
            boolean ok = status.startsWith("2")
                    || (percentOfPeak >= 100 && s.sheddingStatuses().contains(parse(status)));
            if (!ok) {
                unexpected.put(status, n);
            }
        });
        if (!unexpected.isEmpty() || r.unsent() > 0) {
            throw new BenchFailure(s.target().label() + " at " + percentOfPeak + "% of its peak: unexpected answers "
                    + unexpected + (r.unsent() > 0 ? ", " + r.unsent() + " requests never sent (run hit its time bound)" : ""));
        }
    }

    private static int parse(String status) {
        return status.chars().allMatch(Character::isDigit) ? Integer.parseInt(status) : -1;
    }

    private Run record(Subject s, String phase, int rep, int connections, double pct, LoadResult r, ProcessUsage usage) {
        var run = new Run(report.name(), s.target().label(), s.peer().label(), phase, rep, connections, pct, r, usage);
        report.runs().add(run);
        return run;
    }

    /** Computes (once) and returns the figure of all repetitions of one target at one load level. */
    Figure figure(List<Run> runs, String target, String phase, int connections, double pct) {
        Figure existing = report.figure(target, phase, connections, pct);
        if (existing != null) {
            return existing;
        }
        var mine = runs.stream().filter(r -> r.target().equals(target) && r.phase().equals(phase)
                && r.connections() == connections && r.percentOfPeak() == pct).toList();
        Figure f = Figure.of(mine);
        report.figures().add(f);
        return f;
    }
}
