package io.lightbridge.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.Options;
import io.lightbridge.bench.load.LoadResult;
import io.lightbridge.bench.load.OpenLoop;
import io.lightbridge.bench.load.Target;
import io.lightbridge.bench.load.Wrk;
import io.lightbridge.bench.peer.BenchEnvironment;
import io.lightbridge.bench.peer.Peer;
import io.lightbridge.bench.peer.Peers;
import io.lightbridge.bench.report.Charts;
import io.lightbridge.bench.report.ScenarioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's load generators, checks and charts against peer (a), Debian's real lighttpd serving a file. */
class HarnessAgainstStaticLighttpdTest {

    @TempDir
    static Path dir;
    static Peer lighttpd;
    static Target file;

    @BeforeAll
    static void start() throws Exception {
        var peers = new Peers(BenchEnvironment.fromSystemProperties(), dir.resolve("peers"));
        peers.staticFile("body.json", Probe.jsonOfSize(100));
        lighttpd = peers.staticLighttpd();
        file = Target.get("(a) static file", lighttpd.host(), lighttpd.port(), "/body.json");
    }

    @AfterAll
    static void stop() {
        lighttpd.close();
    }

    @Test
    void openLoopSendsOnScheduleAndCountsEveryAnswer() throws Exception {
        LoadResult r = OpenLoop.run(file, 400, 4, Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertEquals(400, r.count("200"), r.statuses().toString());
        assertEquals(0, r.errors());
        assertTrue(r.throughput() > 300 && r.throughput() < 500, "achieved " + r.throughput());
        assertTrue(r.latency().p50() > 0 && r.latency().p50() < 50_000, "p50 " + r.latency().p50());
        assertEquals(400, r.decodedHistogram().getTotalCount());
    }

    @Test
    void openLoopDrivesAThousandConnectionsAtOnce() throws Exception {
        // Overload runs need thousands of connections; all record into shared histograms and each holds one small
        // buffer, so this fits the generator's heap as easily as 16 do.
        LoadResult r = OpenLoop.run(file, 2048, 1024, Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertEquals(2048, r.count("200"), r.statuses().toString());
        assertEquals(0, r.unsent());
        assertEquals(2048, r.decodedHistogram().getTotalCount());
        assertEquals(1024, r.connections());
    }

    @Test
    void openLoopCountsRequestsItCouldOnlySendLate() throws Exception {
        // One connection cannot keep a 10 µs schedule: most requests wait for the previous answer and are sent late.
        LoadResult r = OpenLoop.run(file, 100_000, 1, Duration.ofMillis(100), Duration.ofSeconds(2));
        long answered = r.count("200");
        assertTrue(answered > 0, r.statuses().toString());
        assertTrue(r.sentLate() > answered / 2 && r.sentLate() <= answered, r.sentLate() + " late of " + answered);
        assertEquals(10_000, answered + r.unsent());
    }

    @Test
    void openLoopCountsStatusesItDidNotExpect() throws Exception {
        LoadResult r = OpenLoop.run(Target.get("missing", lighttpd.host(), lighttpd.port(), "/missing"), 100, 2,
                Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertEquals(100, r.count("404"), r.statuses().toString());
        assertEquals(100, r.errors());
        assertEquals(java.util.Set.of("404"), r.rejectedByStatus().keySet());
        assertEquals(r.rejected(), r.rejectedByStatus().get("404"));
    }

    @Test
    void wrkReportsThroughputAndPercentiles() throws Exception {
        LoadResult r = new Wrk(dir.resolve("wrk")).run(file, 4, Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertTrue(r.throughput() > 1000, "throughput " + r.throughput());
        assertEquals(0, r.errors(), r.statuses().toString());
        assertTrue(r.latency().p99() >= r.latency().p50());
    }

    @Test
    void aTargetThatAnswersWithErrorsFailsTheRunInsteadOfGivingNumbers() throws Exception {
        var bench = bench();
        var report = ScenarioReport.start("test", "test", file.label());
        var missing = Target.get("(a) missing file", lighttpd.host(), lighttpd.port(), "/missing");
        var comparison = new Comparison(bench, report, List.of(new Comparison.Subject(missing, lighttpd)));
        var failure = assertThrows(BenchFailure.class, comparison::warmUp);
        assertTrue(failure.getMessage().contains("(a) missing file"), failure.getMessage());
        assertTrue(report.figures().isEmpty());
    }

    @Test
    void shedAnswersAreCountedButNotAsThroughput() throws Exception {
        var bench = bench();
        var report = ScenarioReport.start("test", "test", file.label());
        var shedding = Target.get("(a) missing file, 404 allowed", lighttpd.host(), lighttpd.port(), "/missing");
        var comparison = new Comparison(bench, report, List.of(new Comparison.Subject(shedding, lighttpd,
                java.util.Set.of(404))));
        comparison.peaks();
        var f = report.figure(shedding.label(), "closed", 2, 0);
        assertEquals(0, f.throughput().median());
        assertTrue(f.statuses().get("404") > 1000, f.statuses().toString());
        comparison.throwIfFailed();
    }

    @Test
    void aLevelWithErrorsGetsNoFigureAndTheScenarioFailsAfterMeasuringTheRest() throws Exception {
        var bench = bench();
        var report = ScenarioReport.start("test", "test", file.label());
        var missing = Target.get("(a) missing file", lighttpd.host(), lighttpd.port(), "/missing");
        var comparison = new Comparison(bench, report, List.of(new Comparison.Subject(file, lighttpd),
                new Comparison.Subject(missing, lighttpd, java.util.Set.of(503))));
        var peaks = comparison.peaks();
        assertEquals(java.util.Set.of(file.label()), peaks.keySet());
        assertNotNull(report.figure(file.label(), "closed", 2, 0));
        assertEquals(null, report.figure(missing.label(), "closed", 2, 0));
        assertEquals(1, report.failures().size(), report.failures().toString());
        assertTrue(report.failures().getFirst().contains("404"), report.failures().getFirst());
        var failure = assertThrows(BenchFailure.class, comparison::throwIfFailed);
        assertTrue(failure.getMessage().contains("(a) missing file"), failure.getMessage());
    }

    @Test
    void aComparisonGivesMediansOfRepetitionsAndDrawsItsCharts() throws Exception {
        var bench = bench();
        var report = ScenarioReport.start("test", "test", file.label());
        var comparison = new Comparison(bench, report, List.of(new Comparison.Subject(file, lighttpd)));
        var peaks = comparison.peaks();
        comparison.openLoop(peaks, List.of(10, 50));
        var closed = report.figure(file.label(), "closed", 2, 0);
        assertNotNull(closed);
        assertEquals(3, closed.throughput().n());
        assertTrue(closed.throughput().min() <= closed.throughput().median()
                && closed.throughput().median() <= closed.throughput().max());
        assertTrue(closed.rssMiB().median() > 0, "RSS read from /proc");
        assertNotNull(report.figure(file.label(), "open", 2, 50));
        var charts = Charts.write(report, dir);
        assertEquals(3, charts.size(), charts.toString());
        for (String c : charts) {
            assertTrue(Files.size(dir.resolve(c)) > 10_000, c);
        }
    }

    @Test
    void theOpenLoopsPeakIsTheClosedLoopsAtTheSameConnectionCount() throws Exception {
        var bench = bench(List.of(1, 4), 1);
        var report = ScenarioReport.start("test", "test", file.label());
        var comparison = new Comparison(bench, report, List.of(new Comparison.Subject(file, lighttpd)));
        var peaks = comparison.peaks();
        double atOne = report.figure(file.label(), "closed", 1, 0).throughput().median();
        double atFour = report.figure(file.label(), "closed", 4, 0).throughput().median();
        assertEquals(atOne, peaks.get(file.label()), "a rate over 1 connection is a share of what 1 connection did"
                + " (4 did " + atFour + ")");
    }

    private static Bench bench() throws Exception {
        return bench(List.of(2), 2);
    }

    private static Bench bench(List<Integer> closedConnections, int openConnections) throws Exception {
        var options = new Options(List.of("overhead"), 3, Duration.ofSeconds(1), Duration.ofSeconds(1),
                closedConnections, openConnections, List.of(10, 50), Duration.ofSeconds(2), dir.resolve("results"),
                "test", false, "sync");
        return new Bench(options, BenchEnvironment.fromSystemProperties(), dir.resolve("work"), dir.resolve("out"),
                new Wrk(dir.resolve("work/wrk")));
    }
}
