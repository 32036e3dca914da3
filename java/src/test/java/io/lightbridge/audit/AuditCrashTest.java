package io.lightbridge.audit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.log.ServerLog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the process writing a sync trail under load: every call that was acknowledged has its record, and
 * the next start repairs the tail so the chain verifies. (The lighttpd-level version of this test, kill -9 of
 * lighttpd with the embedded JVM under HTTP load, belongs with the bridge's integration tests.) A process kill
 * keeps the page cache, so this shows ordering and repair; power loss is what the fsync before the ack is for.
 */
class AuditCrashTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCallHasItsRecordAfterSigkill() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        var process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashingWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        var acked = new HashSet<String>();
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acked.size() < 400 && (line = in.readLine()) != null) {
                acked.add(line.substring("ack ".length()));
            }
            // kill(1), not destroyForcibly(): that would also close our end of the pipe, and acks still in it count.
            new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).start().waitFor();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acked.add(line.substring("ack ".length()));
                }
            }
        }
        assertTrue(acked.size() >= 400, "the writer acknowledged " + acked.size() + " calls");

        Path log = dir.resolve("audit.log");
        Set<String> recorded = new HashSet<>();
        var id = Pattern.compile("\"request_id\":\"([^\"]+)\"");
        for (String line : Files.readAllLines(log)) {
            var m = id.matcher(line);
            if (m.find()) {
                recorded.add(m.group(1));
            }
        }
        var missing = new HashSet<>(acked);
        missing.removeAll(recorded);
        assertTrue(missing.isEmpty(), "acknowledged but not recorded: " + missing);

        // The next start cuts an incomplete last line, if the kill left one, and continues the chain.
        try (AuditTrail trail = AuditTrails.create(AuditConfig.sync(dir), Clock.systemUTC(), ServerLog.NONE, AuditMetrics.NONE)) {
            trail.append(AuditRecords.allowed(1));
        }
        var result = AuditVerifier.verify(List.of(log));
        assertTrue(result.intact(), result.problem());
        assertTrue(result.records() >= acked.size() + 1);
    }
}
