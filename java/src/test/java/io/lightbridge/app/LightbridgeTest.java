package io.lightbridge.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.config.ConfigException;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LightbridgeTest {

    @TempDir
    Path dir;

    private final List<String> errors = new ArrayList<>();
    private final ServerLog serverLog = ServerLog.lines(errors::add);

    private Lightbridge start(String yaml) throws Exception {
        Path config = dir.resolve("lightbridge.yaml");
        Files.writeString(config, yaml);
        return Lightbridge.start(config, Clock.systemUTC(), serverLog);
    }

    private ConfigException rejected(String yaml) throws Exception {
        Path config = dir.resolve("lightbridge.yaml");
        Files.writeString(config, yaml);
        return assertThrows(ConfigException.class, () -> Lightbridge.start(config, Clock.systemUTC(), serverLog));
    }

    @Test
    void anEmptyFileStartsWithDefaults() throws Exception {
        try (var app = start("")) {
            assertEquals(ServerSettings.defaults(), app.settings());
            assertEquals(Duration.ofMillis(50), app.settings().queueTimeout());
            assertFalse(app.settings().diagnostics());
            assertTrue(app.ready());
            assertEquals(app.settings().workers(), app.workers().workers());
        }
    }

    @Test
    void serverSectionIsBound() throws Exception {
        try (var app = start("server:\n  workers: 3\n  queue-capacity: 7\n  queue-timeout: 20ms\n  diagnostics: true\n")) {
            assertEquals(new ServerSettings(3, 7, Duration.ofMillis(20), Duration.ZERO, true, true), app.settings());
            assertEquals(7, app.workers().queueCapacity());
            var echo = new Request("POST", "/lightbridge/diag/echo", "", null, "", "x".getBytes());
            assertEquals(200, app.pipeline().handle(echo).status());
        }
    }

    @Test
    void workerTuningIsBound() throws Exception {
        try (var app = start("server:\n  worker-spin: 20us\n  batch-scheduling: false\n")) {
            assertEquals(Duration.ofNanos(20_000), app.settings().workerSpin());
            assertFalse(app.settings().batchScheduling());
        }
        var e = rejected("server:\n  worker-spin: 2ms\n");
        assertEquals("server.worker-spin", e.key());
        assertEquals(2, e.line());
    }

    @Test
    void diagnosticRoutesAre404UnlessEnabled() throws Exception {
        try (var app = start("server:\n  workers: 1\n")) {
            var noop = new Request("GET", "/lightbridge/diag/noop", "", null, "", null);
            assertEquals(404, app.pipeline().handle(noop).status());
        }
    }

    @Test
    void readinessEndsWithClose() throws Exception {
        var app = start("");
        var ready = new Request("GET", "/v2/health/ready", "", null, "", null);
        assertEquals(200, app.pipeline().handle(ready).status());
        app.close();
        assertEquals(503, app.pipeline().handle(ready).status());
    }

    @Test
    void sighupReturnsAtOnceAndReloadsThePolicy() throws Exception {
        String config = """
                policy:
                  rules:
                    - { id: r1, actions: [infer], models: ["*"], callers: { groups: [g] } }
                audit: { durability: "off" }
                """;
        try (var app = start(config)) {
            long start = System.nanoTime();
            app.onSighup();
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "onSighup must not wait for the work it starts");
            long until = System.nanoTime() + 5_000_000_000L;
            while (errors.stream().noneMatch(line -> line.startsWith("INFO policy reloaded")) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(errors.stream().anyMatch(line -> line.startsWith("INFO policy reloaded: 1 rules")), errors.toString());
            assertTrue(errors.stream().noneMatch(line -> line.contains("failed") || line.contains("rejected")),
                    errors.toString());
        }
    }

    @Test
    void aValueOutOfRangeNamesFileLineAndKey() throws Exception {
        var e = rejected("identity: {}\nserver:\n  queue-capacity: 3\n  workers: 0\n");
        assertEquals(dir.resolve("lightbridge.yaml"), e.file());
        assertEquals(4, e.line());
        assertEquals("server.workers", e.key());
        assertTrue(e.getMessage().contains("must be between 1 and 4096"), e.getMessage());
    }

    @Test
    void anUnknownKeyNamesItsLine() throws Exception {
        var e = rejected("server:\n  workers: 2\n  queue-capacty: 10\n  diagnostics: false\n");
        assertEquals(3, e.line());
        assertEquals("server.queue-capacty", e.key());
    }

    @Test
    void aBadDurationNamesItsKey() throws Exception {
        var e = rejected("server:\n  queue-timeout: soon\n");
        assertEquals(2, e.line());
        assertEquals("server.queue-timeout", e.key());
    }

    @Test
    void anUnknownSectionIsRejected() throws Exception {
        var e = rejected("server: {}\nservers:\n  workers: 2\n");
        assertEquals(2, e.line());
        assertEquals("servers", e.key());
    }
}
