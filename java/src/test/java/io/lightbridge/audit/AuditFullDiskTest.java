package io.lightbridge.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.acl.Policy;
import io.lightbridge.acl.PolicyConfig;
import io.lightbridge.acl.PolicyStore;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real full filesystem (a 64 KiB tmpfs): sync fails closed, nothing half-written, recovers when space returns. */
class AuditFullDiskTest {

    @TempDir
    Path base;

    Path mount;
    final List<String> log = new CopyOnWriteArrayList<>();
    final ServerLog serverLog = ServerLog.lines(log::add);

    @BeforeEach
    void mountTinyTmpfs() throws Exception {
        mount = base.resolve("tiny");
        Files.createDirectories(mount);
        var p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        Assumptions.assumeTrue(status == 0,
                "this test needs to mount a tmpfs (root, or CAP_SYS_ADMIN); mount said: " + out.strip());
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void syncFailsClosedAndRecovers() throws Exception {
        var server = new TestServer();
        var config = new AuditConfig(Durability.SYNC, mount.resolve("audit").toString(), null, null, null, null,
                null, Duration.ofMillis(500), null);
        var policy = Policy.compile(ConfigFile.of(Path.of("t.yaml"), TestServer.POLICY, ConfigFile.SECTIONS)
                .section("policy", PolicyConfig.class, null));
        Path filler = mount.resolve("filler");
        try (AuditTrail trail = AuditTrails.create(config, Clock.systemUTC(), serverLog, AuditMetrics.NONE)) {
            var pipeline = new Pipeline(server.router, server.authenticator, policy, trail, Clock.systemUTC(), serverLog);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, pipeline.handle(call("before-" + i)).status());
            }
            fill(filler);

            // The log's last page may still hold a record or two; then writes fail.
            int status = 200;
            for (int i = 0; i < 20 && status == 200; i++) {
                status = pipeline.handle(call("filling-" + i)).status();
            }
            assertEquals(503, status, "a full disk fails the call whose record cannot be written");
            int callsBefore = server.modelCalls.get();
            for (int i = 0; i < 40; i++) {
                assertEquals(503, pipeline.handle(call("full-" + i)).status());
            }
            assertEquals(callsBefore, server.modelCalls.get(), "while the trail is failing the model is not called");
            assertThrows(AuditUnavailableException.class, trail::ensureWritable);
            assertTrue(log.stream().anyMatch(l -> l.contains("audit trail unavailable") && l.contains("No space left on device")),
                    log.toString());
            Path auditLog = mount.resolve("audit/audit.log");
            byte[] onDisk = Files.readAllBytes(auditLog);
            assertEquals('\n', onDisk[onDisk.length - 1], "no half-written record");
            assertTrue(AuditVerifier.verify(List.of(auditLog)).intact());

            Files.delete(filler);
            Thread.sleep(600);
            int ok = 0;
            for (int i = 0; i < 10; i++) {
                ok += pipeline.handle(call("after-" + i)).status() == 200 ? 1 : 0;
            }
            assertEquals(10, ok, "recovered once space returned: " + log);
            assertTrue(log.stream().anyMatch(l -> l.contains("audit trail writable again")), log.toString());
        }
        Path auditLog = mount.resolve("audit/audit.log");
        var result = AuditVerifier.verify(List.of(auditLog));
        assertTrue(result.intact(), result.problem());
        List<String> lines = Files.readAllLines(auditLog);
        assertTrue(lines.getFirst().contains("\"request_id\":\"before-0\""));
        assertTrue(lines.getLast().contains("\"request_id\":\"after-9\""));
        assertEquals(lines.size(), result.records());
    }

    private static io.lightbridge.pipeline.Request call(String id) {
        return TestServer.infer(TestServer.MODEL, "dana;data-science;", PipelineAuditTest.GOOD_BODY, id);
    }

    private static void fill(Path filler) {
        byte[] block = new byte[1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException expected) {
            // the filesystem is full now
        }
    }
}
