package io.lightbridge.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.log.ServerLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records reach a real AF_UNIX datagram socket, bound by the test as rsyslog binds /dev/log, as RFC 5424 messages. */
class SyslogSinkTest {

    @TempDir
    Path dir;

    @Test
    void sendsEachRecordAsAnRfc5424Message() throws Throwable {
        Path socket = dir.resolve("log.sock");
        var lines = new ArrayList<String>();
        try (var receiver = new UnixDatagramReceiver(socket.toString())) {
            var config = new AuditConfig(Durability.SYNC, dir.resolve("audit").toString(), null, null, null, null, null,
                    null, new SyslogConfig(true, socket.toString(), "authpriv", "lightbridge"));
            try (AuditTrail trail = AuditTrails.create(config, Clock.systemUTC(), ServerLog.NONE, AuditMetrics.NONE)) {
                trail.append(AuditRecords.allowed(1));
                trail.append(AuditRecords.allowed(2));
                var denied = AuditRecords.allowed(3);
                trail.append(new AuditRecord(denied.time(), "req-3", null, "192.0.2.9", "carl", null, null, null,
                        "fraud-detector", null, "infer", false, "default deny", 403, 40, denied.bodySha256(), "forbidden"));
            }
            for (int i = 0; i < 3; i++) {
                lines.add(receiver.receive());
            }
        }
        List<String> file = Files.readAllLines(dir.resolve("audit/audit.log"));
        String host = java.net.InetAddress.getLocalHost().getHostName();
        long pid = ProcessHandle.current().pid();
        // authpriv (10) * 8 + info (6) = 86; a denial is notice (5) = 85.
        assertEquals("<86>1 2026-11-25T15:30:00.124456Z " + host + " lightbridge " + pid + " audit - " + file.get(0), lines.get(0));
        assertTrue(lines.get(1).startsWith("<86>1 2026-11-25T15:30:00.125456Z "), lines.get(1));
        assertTrue(lines.get(2).startsWith("<85>1 ") && lines.get(2).endsWith(file.get(2)), lines.get(2));
    }

    @Test
    void aMissingSocketIsLoggedOnceAndTheFileStillGetsEveryRecord() throws Exception {
        var log = new CopyOnWriteArrayList<String>();
        var config = new AuditConfig(Durability.SYNC, dir.resolve("audit").toString(), null, null, null, null, null,
                null, new SyslogConfig(true, dir.resolve("nobody-listens").toString(), null, null));
        var failures = new java.util.concurrent.atomic.AtomicInteger();
        AuditMetrics metrics = new AuditMetrics() {
            @Override
            public void written(int records, long writeNanos, long lagNanos) {}

            @Override
            public void writeFailed() {}

            @Override
            public void syslogFailed() {
                failures.incrementAndGet();
            }
        };
        try (AuditTrail trail = AuditTrails.create(config, Clock.systemUTC(), ServerLog.lines(log::add), metrics)) {
            for (int i = 1; i <= 4; i++) {
                trail.append(AuditRecords.allowed(i));
            }
        }
        assertEquals(4, Files.readAllLines(dir.resolve("audit/audit.log")).size());
        assertEquals(4, failures.get());
        assertEquals(1, log.stream().filter(l -> l.contains("syslog sink") && l.contains("No such file or directory")).count(),
                log.toString());
    }
}
