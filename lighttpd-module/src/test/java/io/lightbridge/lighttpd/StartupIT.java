package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Start-up: directives validated before anything runs, -tt starts no JVM, a JVM that fails stops lighttpd. */
class StartupIT {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "lightbridge.jar         | \"/nonexistent/lightbridge.jar\"",
        "lightbridge.jar         |",
        "lightbridge.java-home   | \"/usr/lib/jvm/java-17-openjdk-amd64\"",
        "lightbridge.java-home   | \"/tmp\"",
        "lightbridge.config      | \"/nonexistent/lightbridge.yaml\"",
        "lightbridge.jvm-options | ( \"Xmx64m\" )",
        "lightbridge.deadline-ms | 0",
        "lightbridge.deadline-ms | \"soon\"",
        "lightbridge.max-request-body | 0",
    })
    void badDirectiveRefusesToStartNamingIt(String key, String value) throws Exception {
        LighttpdServer.Finished run = LighttpdServer.config("bad-directive").directive(key, value).runToExit("-D");
        assertNotEquals(0, run.exitCode());
        String log = run.errorLog() + run.stderr();
        assertTrue(log.contains(key), () -> "the error log must name " + key + ":\n" + log);
        assertFalse(log.contains("server started") && log.contains("lightbridge: "), log);
    }

    @Test
    void configTestDoesNotStartAJvm() throws Exception {
        LighttpdServer.Config config = LighttpdServer.config("config-test");
        Path marker = Path.of(System.getProperty("lightbridge.work.dir"), "jvm-started-" + ProcessHandle.current().pid());
        Files.deleteIfExists(marker);
        // a JVM, once created, writes its version into this file
        config = config.directive("lightbridge.jvm-options", "( \"-Xlog:disable\", \"-Xlog:os=info:file=" + marker + "\" )");
        LighttpdServer.Finished test = config.runToExit("-tt");
        assertEquals(0, test.exitCode(), test::stderr);
        assertFalse(Files.exists(marker), "lighttpd -tt started a JVM");
        try (LighttpdServer started = config.start()) {
            assertTrue(Files.exists(marker), "the marker does show a JVM start");
            assertTrue(LighttpdServer.hostsJvm(started.pid()));
        }
    }

    @ParameterizedTest(name = "server.max-worker = {0}")
    @ValueSource(ints = {0, 2})
    void jvmThatFailsToStartStopsLighttpdWithTheReason(int maxWorker) throws Exception {
        LighttpdServer.Finished run = LighttpdServer.config("jvm-fails").maxWorker(maxWorker)
                .directive("lightbridge.jvm-options", "( \"-XX:+NoSuchLightbridgeOption\" )").runToExit("-D");
        assertNotEquals(0, run.exitCode());
        String log = run.errorLog();
        assertTrue(log.contains("JVM creation failed") && log.contains("NoSuchLightbridgeOption"), log);
    }

    @Test
    void twoWorkersEachHostTheirOwnJvmAndBothAnswer() throws Exception {
        try (LighttpdServer server = LighttpdServer.config("max-worker").maxWorker(2).start()) {
            List<Long> workers = awaitWorkers(server, 2);
            assertFalse(LighttpdServer.hostsJvm(server.pid()), "the supervisor hosts no JVM");
            for (long worker : workers) assertTrue(LighttpdServer.hostsJvm(worker), "worker " + worker + " hosts a JVM");
            // freeze one worker: the other alone must answer; then the other way round
            for (long frozen : workers) {
                LighttpdServer.signal("STOP", frozen);
                try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                    for (int i = 0; i < 10; i++) {
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo"))
                                .timeout(java.time.Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString("w" + i)).build(), HttpResponse.BodyHandlers.ofString());
                        assertEquals("w" + i, response.body());
                    }
                } finally {
                    LighttpdServer.signal("CONT", frozen);
                }
            }
        }
    }

    private static List<Long> awaitWorkers(LighttpdServer server, int count) throws Exception {
        for (int i = 0; i < 200; i++) {
            List<Long> workers = server.workerPids();
            if (workers.size() == count && workers.stream().allMatch(StartupIT::hostsJvmQuietly)) return workers;
            Thread.sleep(50);
        }
        return server.workerPids();
    }

    private static boolean hostsJvmQuietly(long pid) {
        try {
            return LighttpdServer.hostsJvm(pid);
        } catch (java.io.IOException gone) {
            return false;
        }
    }
}
