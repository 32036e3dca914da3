package io.lightbridge.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.cli.CommandLine;
import io.lightbridge.log.ServerLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tampering with a real chain of ten records: verify-audit names the record and how it was changed. */
class AuditVerifierTest {

    @TempDir
    Path dir;

    Path log;
    List<String> lines;

    @BeforeEach
    void writeTenRecords() throws Exception {
        try (AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), ServerLog.NONE, AuditMetrics.NONE)) {
            for (int i = 1; i <= 10; i++) {
                trail.append(AuditRecords.allowed(i));
            }
        }
        log = dir.resolve("audit.log");
        lines = Files.readAllLines(log);
        assertEquals(10, lines.size());
    }

    static Stream<Arguments> tampering() {
        return Stream.of(
                Arguments.of("one byte edited", (UnaryOperator<List<String>>) l -> {
                    l.set(3, l.get(3).replace("\"status\":200", "\"status\":201"));
                    return l;
                }, "audit.log:4 (record 4): edited"),
                Arguments.of("hash field edited", (UnaryOperator<List<String>>) l -> {
                    String s = l.get(6);
                    l.set(6, s.substring(0, s.length() - 3) + (s.charAt(s.length() - 3) == 'a' ? 'b' : 'a') + "\"}");
                    return l;
                }, "audit.log:7 (record 7): edited"),
                Arguments.of("record removed", (UnaryOperator<List<String>>) l -> {
                    l.remove(4);
                    return l;
                }, "audit.log:5 (record 6): record 5 removed before it"),
                Arguments.of("two records removed", (UnaryOperator<List<String>>) l -> {
                    l.remove(4);
                    l.remove(4);
                    return l;
                }, "audit.log:5 (record 7): records 5 to 6 removed before it"),
                Arguments.of("first record removed", (UnaryOperator<List<String>>) l -> {
                    l.remove(0);
                    return l;
                }, null),
                Arguments.of("records swapped", (UnaryOperator<List<String>>) l -> {
                    String a = l.get(2);
                    l.set(2, l.get(3));
                    l.set(3, a);
                    return l;
                }, "audit.log:3 (record 4): out of order"),
                Arguments.of("copy inserted", (UnaryOperator<List<String>>) l -> {
                    l.add(6, l.get(1));
                    return l;
                }, "audit.log:7 (record 2): inserted"),
                Arguments.of("garbage inserted", (UnaryOperator<List<String>>) l -> {
                    l.add(2, "{\"seq\":3,\"subject\":\"mallory\"}");
                    return l;
                }, "audit.log:3 (record 3): not an audit record"),
                Arguments.of("tail cut off", (UnaryOperator<List<String>>) l -> {
                    l.remove(9);
                    l.remove(8);
                    return l;
                }, "checkpoint is at record 10 but the chain ends at record 8: records 9 to 10 were cut off"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampering")
    void namesTheRecord(String name, UnaryOperator<List<String>> tamper, String expected) throws Exception {
        Files.write(log, tamper.apply(new ArrayList<>(lines)));
        var result = AuditVerifier.verify(List.of(log));
        if (expected == null) {
            // Without earlier files the chain's start is unknown: the first record removed shows only as a note,
            // and the checkpoint still matches. Rotated files passed along would show the gap.
            assertTrue(result.intact(), result.problem());
            assertTrue(result.notes().getFirst().contains("starts at record 2"), result.notes().toString());
            return;
        }
        assertFalse(result.intact());
        assertTrue(result.problem().contains(expected), result.problem());
        assertEquals(1, cli(log.toString()).status, "verify-audit exits non-zero");
    }

    @Test
    void forgedRecordWithRecomputedHashIsNamed() throws Exception {
        // An insertion that fakes seq and prev and recomputes its own hash: the next real record reveals it.
        String before = lines.get(4);
        String prefix = AuditLine.prefix(6, AuditRecords.allowed(99), AuditLine.storedHash(before));
        String forged = AuditLine.line(prefix, AuditLine.hash(AuditLine.sha256(), prefix)).stripTrailing();
        var tampered = new ArrayList<>(lines);
        tampered.add(5, forged);
        Files.write(log, tampered);
        var result = AuditVerifier.verify(List.of(log));
        assertTrue(result.problem().contains("audit.log:7 (record 6): a second record 6: the record before it, at line 6"),
                result.problem());
    }

    @Test
    void intactChainPasses() throws Exception {
        var out = cli(log.toString(), log + ".checkpoint");
        assertEquals(0, out.status, out.text);
        assertTrue(out.text.contains("OK: 10 records (1 to 10)"), out.text);
        assertTrue(out.text.contains("checkpoint audit.log.checkpoint at record 10 matches"), out.text);
    }

    @Test
    void incompleteLastLineIsReported() throws Exception {
        String all = Files.readString(log);
        Files.writeString(log, all.substring(0, all.length() - 40));
        var result = AuditVerifier.verify(List.of(log));
        assertTrue(result.problem().contains("audit.log:10 (record 10): incomplete last record"), result.problem());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, cli().status);
        assertEquals(2, cli(dir.resolve("missing.log").toString()).status);
    }

    record Cli(int status, String text) {}

    static Cli cli(String... args) {
        var out = new ByteArrayOutputStream();
        var ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int status = CommandLine.run(ps, "verify-audit", args);
        return new Cli(status, out.toString(StandardCharsets.UTF_8));
    }
}
