package io.lightbridge.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.log.ServerLog;
import io.lightbridge.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation, reopen after logrotate, restarts and async durability: the chain continues through all of them. */
class AuditLifecycleTest {

    @TempDir
    Path dir;

    final List<String> log = new CopyOnWriteArrayList<>();
    final ServerLog serverLog = ServerLog.lines(log::add);

    AuditConfig config(Durability durability, String rotateSize, Duration rotateEvery) {
        return new AuditConfig(durability, dir.toString(), null, rotateSize, rotateEvery, null, null, null, null);
    }

    /**
     * The audit files oldest first: rotated ones by their time stamp, then by their same-second counter (none before
     * -2: a plain name sort puts {@code …Z-2.log} before {@code …Z.log}), the live file last.
     */
    List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted(OLDEST_FIRST).toList();
        }
    }

    private static final Pattern ROTATED = Pattern.compile("audit-(\\d{8}T\\d{6}Z)(?:-(\\d+))?\\.log");

    private static final Comparator<Path> OLDEST_FIRST = Comparator
            .comparing((Path p) -> rotated(p) == null ? "~" : rotated(p).group(1)) // "~" sorts after every digit
            .thenComparingInt(p -> rotated(p) == null || rotated(p).group(2) == null ? 0 : Integer.parseInt(rotated(p).group(2)));

    private static Matcher rotated(Path p) {
        Matcher m = ROTATED.matcher(p.getFileName().toString());
        return m.matches() ? m : null;
    }

    @Test
    void rotatesBySizeAndTheChainSpansTheFiles() throws Exception {
        // one second for every rotation: the names then differ only in their counter, which files() must order
        try (AuditTrail trail = AuditTrails.create(config(Durability.SYNC, "2KiB", null),
                new MutableClock(Instant.parse("2026-11-26T02:40:11Z")), serverLog, AuditMetrics.NONE)) {
            for (int i = 1; i <= 20; i++) {
                trail.append(AuditRecords.allowed(i));
            }
        }
        List<Path> files = files();
        assertTrue(files.size() >= 5, files.toString());
        assertTrue(files.stream().allMatch(f -> f.getFileName().toString().matches("audit(-\\d{8}T\\d{6}Z(-\\d+)?)?\\.log")), files.toString());
        var reversed = new ArrayList<>(files).reversed();
        var result = AuditVerifier.verify(reversed);
        assertTrue(result.intact(), result.problem());
        assertEquals(20, result.records());
        assertEquals(1, result.firstSeq());

        // A whole rotated file taken away shows as a gap.
        var withoutSecond = new ArrayList<>(files);
        withoutSecond.remove(1);
        var gap = AuditVerifier.verify(withoutSecond);
        assertFalse(gap.intact());
        assertTrue(gap.problem().contains("removed before it"), gap.problem());
    }

    @Test
    void rotatesByTime() throws Exception {
        var clock = new MutableClock(Instant.parse("2026-11-25T00:00:00Z"));
        try (AuditTrail trail = AuditTrails.create(config(Durability.SYNC, null, Duration.ofHours(1)), clock, serverLog,
                AuditMetrics.NONE)) {
            trail.append(AuditRecords.allowed(1));
            trail.append(AuditRecords.allowed(2));
            clock.advance(Duration.ofMinutes(61));
            trail.append(AuditRecords.allowed(3));
            clock.advance(Duration.ofMinutes(61));
            trail.append(AuditRecords.allowed(4));
        }
        List<Path> files = files();
        assertEquals(List.of("audit-20261125T010100Z.log", "audit-20261125T020200Z.log", "audit.log"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        assertTrue(AuditVerifier.verify(files).intact());
    }

    @Test
    void reopensAfterLogrotateMovedTheFile() throws Exception {
        try (AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE)) {
            trail.append(AuditRecords.allowed(1));
            trail.append(AuditRecords.allowed(2));
            Files.move(dir.resolve("audit.log"), dir.resolve("audit.log.1.log"));
            trail.reopen();
            trail.append(AuditRecords.allowed(3));
        }
        assertEquals(1, Files.readAllLines(dir.resolve("audit.log")).size());
        assertEquals(2, Files.readAllLines(dir.resolve("audit.log.1.log")).size());
        var result = AuditVerifier.verify(List.of(dir.resolve("audit.log"), dir.resolve("audit.log.1.log")));
        assertTrue(result.intact(), result.problem());
        assertEquals(3, result.records());
    }

    @Test
    void aRestartContinuesTheChainAndCutsAnIncompleteLastRecord() throws Exception {
        try (AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE)) {
            trail.append(AuditRecords.allowed(1));
            trail.append(AuditRecords.allowed(2));
        }
        Path file = dir.resolve("audit.log");
        Files.writeString(file, "{\"seq\":3,\"time\":\"2026-11-25T15:", StandardOpenOption.APPEND); // a crash mid-write
        try (AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE)) {
            trail.append(AuditRecords.allowed(3));
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("removed an incomplete last record")), log.toString());
        var result = AuditVerifier.verify(List.of(file));
        assertTrue(result.intact(), result.problem());
        assertEquals(3, result.lastSeq());
    }

    @Test
    void aRestartAfterTheTailWasCutKeepsTheGapVisible() throws Exception {
        try (AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE)) {
            for (int i = 1; i <= 5; i++) {
                trail.append(AuditRecords.allowed(i));
            }
        }
        Path file = dir.resolve("audit.log");
        Files.write(file, Files.readAllLines(file).subList(0, 3));
        try (AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE)) {
            trail.append(AuditRecords.allowed(6));
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("records were cut off")), log.toString());
        var result = AuditVerifier.verify(List.of(file));
        assertFalse(result.intact());
        assertTrue(result.problem().contains("audit.log:4 (record 6): records 4 to 5 removed before it"), result.problem());
    }

    @Test
    void asyncWritesEverythingOffTheRequestPath() throws Exception {
        int n = 500;
        var written = new java.util.concurrent.atomic.AtomicLong();
        AuditMetrics counting = new AuditMetrics() {
            @Override
            public void written(int records, long writeNanos, long lagNanos) {
                written.addAndGet(records);
            }

            @Override
            public void writeFailed() {}

            @Override
            public void syslogFailed() {}
        };
        try (AuditTrail trail = AuditTrails.create(config(Durability.ASYNC, null, null), Clock.systemUTC(), serverLog, counting)) {
            for (int i = 1; i <= n; i++) {
                trail.append(AuditRecords.allowed(i));
            }
        }
        assertEquals(n, written.get());
        var result = AuditVerifier.verify(List.of(dir.resolve("audit.log")));
        assertTrue(result.intact(), result.problem());
        assertEquals(n, result.records());
    }

    @Test
    void offRecordsNothing() throws Exception {
        var trail = AuditTrails.create(config(Durability.OFF, null, null), Clock.systemUTC(), serverLog, AuditMetrics.NONE);
        assertEquals(AuditTrail.DISABLED, trail);
        assertFalse(trail.keepsRecords(), "the pipeline then skips the body digest and the record");
        assertTrue(log.getFirst().contains("NOT audited"));
    }

    @Test
    void closeIsIdempotentAndLaterAppendsFail() throws Exception {
        AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), serverLog, AuditMetrics.NONE);
        trail.append(AuditRecords.allowed(1));
        trail.close();
        trail.close();
        org.junit.jupiter.api.Assertions.assertThrows(AuditUnavailableException.class, () -> trail.append(AuditRecords.allowed(2)));
        org.junit.jupiter.api.Assertions.assertThrows(AuditUnavailableException.class, trail::ensureWritable);
    }
}
