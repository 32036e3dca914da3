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
 * statuses a peer sheds load with (503 queue full, 504 deadline passed): those are counted and shown, and only 2xx
 * answers count as throughput.
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

    /**
     * Closed-loop load on every target, not recorded: JIT, caches and connection pools settle first. Errors here
     * mean a broken peer and fail the scenario at once.
     */
    public void warmUp() throws IOException, InterruptedException {
        Duration d = bench.options().warmUp();
        for (Subject s : subjects) {
            bench.log(report.name() + ": warm-up " + d.toSeconds() + " s on " + s.target().label());
            LoadResult r = bench.wrk().run(s.target(), 16, d, bench.options().timeout());
            s.peer().checkAlive();
            if (!r.unexpected(s.sheddingStatuses()).isEmpty()) {
                throw new BenchFailure(s.target().label() + " answered with errors during warm-up: " + r.statuses()
                        + " — check " + s.target().url());
            }
        }
    }

    /**
     * Samples the subject's front process with perf while wrk loads it at {@code connections}; the summary goes
     * into the report and a text file next to it.
     */
    public void profile(Subject s, int connections) throws IOException, InterruptedException {
        String name = report.name() + "-profile-" + io.lightbridge.bench.load.Wrk.safe(s.target().label());
        Duration d = bench.options().duration();
        var running = io.lightbridge.bench.measure.Profile.start(s.peer().pids().getFirst(), d,
                bench.workDir().resolve(name + ".perf.data"));
        bench.log(report.name() + ": profiling " + s.target().label() + " with perf for " + d.toSeconds() + " s");
        LoadResult r = bench.wrk().run(s.target(), connections, d, bench.options().timeout());
        String top = running.report(30);
        java.nio.file.Files.writeString(bench.outDir().resolve(name + ".txt"), top + "\n");
        report.extra().put("where " + s.target().label() + " spends its CPU (perf, self time by object and symbol, "
                + connections + " connections, " + "%.0f req/s)".formatted(r.throughput()), "\n" + top);
    }

    /** Fails the scenario when any load level gave no figure; called after the goals are recorded. */
    public void throwIfFailed() {
        if (!report.failures().isEmpty()) {
            throw new BenchFailure("no figure where a target answered with errors: " + String.join("; ", report.failures()));
        }
    }

    private void fail(String target, String level, String why) {
        String entry = target + " @ " + level + ": " + why;
        report.failures().add(entry);
        bench.log(report.name() + ": FAILED " + entry);
    }

    /**
     * Closed loop at each connection count; returns each target's peak: its median req/s at the open loop's
     * connection count when that count was measured (a constant rate over 16 connections cannot reach a peak that
     * took 64), else its best median. A level where a target answered with any error gets no figure (recorded in
     * the report's failures); a target with no figure at all has no peak and is left out of the open-loop runs.
     */
    public Map<String, Double> peaks() throws IOException, InterruptedException {
        var runs = new ArrayList<Run>();
        var failed = new java.util.HashSet<String>();
        for (int rep = 1; rep <= bench.options().repetitions(); rep++) {
            for (int c : bench.options().closedConnections()) {
                for (Subject s : subjects) {
                    var before = ProcessUsage.snapshot(s.peer().pids());
                    LoadResult r = bench.wrk().run(s.target(), c, bench.options().duration(), bench.options().timeout());
                    var usage = ProcessUsage.between(before, ProcessUsage.snapshot(s.peer().pids()), r.throughput() * r.seconds());
                    s.peer().checkAlive();
                    if (!r.unexpected(s.sheddingStatuses()).isEmpty()) {
                        if (failed.add(s.target().label() + "@" + c)) {
                            fail(s.target().label(), c + " connections (closed loop)", "answers " + r.statuses()
                                    + " in repetition " + rep);
                        }
                        continue;
                    }
                    runs.add(record(s, "closed", rep, c, 0, r, usage));
                    bench.log("%s: closed rep %d c=%d %s: %.0f req/s p50 %.0f µs p99 %.0f µs %s".formatted(report.name(),
                            rep, c, s.target().label(), r.throughput(), r.latency().p50(), r.latency().p99(), r.statuses()));
                }
            }
        }
        int open = bench.options().openConnections();
        boolean openCountMeasured = bench.options().closedConnections().contains(open);
        var peaks = new LinkedHashMap<String, Double>();
        for (Subject s : subjects) {
            for (int c : bench.options().closedConnections()) {
                if (!failed.contains(s.target().label() + "@" + c)) {
                    Figure f = figure(runs, s.target().label(), "closed", c, 0); // every level gets its figure
                    if (!openCountMeasured || c == open) {
                        peaks.merge(s.target().label(), f.throughput().median(), Math::max);
                    }
                }
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
        var measured = subjects.stream().filter(s -> peaks.containsKey(s.target().label())).toList();
        warmUpGenerator(measured, peaks);
        var runs = new ArrayList<Run>();
        for (int pct : percents) {
            var failed = new java.util.HashSet<String>();
            for (int rep = 1; rep <= bench.options().repetitions(); rep++) {
                for (Subject s : measured) {
                    double rate = peaks.get(s.target().label()) * pct / 100.0;
                    try {
                        runs.add(openRun(s, rate, pct, rep, connections));
                    } catch (BenchFailure e) {
                        if (failed.add(s.target().label())) {
                            fail(s.target().label(), pct + " % of its peak (open loop)", e.getMessage()
                                    + " in repetition " + rep);
                        }
                    }
                }
            }
            for (Subject s : measured) {
                if (!failed.contains(s.target().label())) {
                    figure(runs, s.target().label(), "open", connections, pct);
                }
            }
        }
    }

    /**
     * The generator runs in this JVM: a short unrecorded run at a quarter of each peak compiles its hot loop,
     * so the first recorded run does not charge the generator's JIT warm-up to the peer.
     */
    private void warmUpGenerator(List<Subject> measured, Map<String, Double> peaks) throws InterruptedException {
        for (Subject s : measured) {
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
        // shedding (503/504) is how a peer meets more than it can serve; below its peak it is an error like any other
        var unexpected = r.unexpected(percentOfPeak >= 100 ? s.sheddingStatuses() : Set.of());
        boolean unsentMatters = r.unsent() > 0 && percentOfPeak < 100;
        if (!unexpected.isEmpty() || unsentMatters) {
            throw new BenchFailure(s.target().label() + " at " + percentOfPeak + " % of its peak: unexpected answers "
                    + unexpected + (unsentMatters ? ", " + r.unsent() + " requests never sent below its peak rate (run hit its time bound)" : ""));
        }
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
