package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One Java worker and a one-place queue: overload is answered at once, deadlines hold, aborts are harmless. */
class BackpressureIT {

    private static LighttpdServer server;

    @BeforeAll
    static void start() throws Exception {
        server = LighttpdServer.config("backpressure").serverYaml("""
                server:
                  diagnostics: true
                  workers: 1
                  queue-capacity: 1
                """).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static CompletableFuture<HttpResponse<String>> echoAsync(HttpClient client, String query, String body) {
        return client.sendAsync(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo" + query))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fullQueueAnswers503WithRetryAfterImmediately() throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            var busy = echoAsync(client, "?sleep-ms=1500", "busy");
            Thread.sleep(300); // the only worker sleeps
            List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
            List<Long> started = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                started.add(System.nanoTime());
                more.add(echoAsync(client, "", "more-" + i));
            }
            int rejected = 0;
            for (int i = 0; i < more.size(); i++) {
                HttpResponse<String> response = more.get(i).get(30, TimeUnit.SECONDS);
                if (response.statusCode() == 503) {
                    rejected++;
                    long millis = (System.nanoTime() - started.get(i)) / 1_000_000;
                    assertTrue(response.headers().firstValue("Retry-After").isPresent(), "Retry-After on 503");
                    EndpointsIT.assertJson(response);
                    assertTrue(millis < 1_000, "503 must not wait for the busy worker, took " + millis + " ms");
                } else {
                    assertEquals(200, response.statusCode(), response.body());
                    assertEquals("more-" + i, response.body());
                }
            }
            assertTrue(rejected >= 2, "with 1 worker and 1 queue place, 4 more requests see ≥ 2 rejections; saw " + rejected);
            assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void requestStillQueuedAtItsDeadlineGets504() throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            var busy = echoAsync(client, "?sleep-ms=1000", "busy");
            Thread.sleep(300);
            HttpResponse<String> late = echoAsync(client, "?deadline=tight", "late").get(30, TimeUnit.SECONDS);
            assertEquals(504, late.statusCode(), late.body());
            EndpointsIT.assertJson(late);
            assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void clientsAbortingMidRequestLeaveNoTrace() throws Exception {
        long pid = server.pid();
        HttpResponse<String> warm = server.get("/v2/health/live");
        assertEquals(200, warm.statusCode());
        int fdsBefore = LighttpdServer.fdCount(pid);
        for (int i = 0; i < 30; i++) {
            try (RawHttp halfBody = new RawHttp(server.port())) { // gone while lighttpd collects the body
                halfBody.send("POST /lightbridge/diag/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n"
                        + "y".repeat(100));
            }
            try (RawHttp inJava = new RawHttp(server.port())) { // gone while Java holds the exchange
                inJava.send("POST /lightbridge/diag/echo?sleep-ms=20 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabort");
                Thread.sleep(2);
            }
        }
        // HTTP/2 connections are always read, so lighttpd sees these clients go while Java holds their exchanges
        for (int i = 0; i < 10; i++) {
            Process impatient = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "--max-time", "0.2",
                    "--data-binary", "gone", server.uri("/lightbridge/diag/echo?sleep-ms=600").toString())
                    .redirectErrorStream(true).start();
            assertEquals(28, impatient.waitFor(), "curl timed out (exit 28), abandoning the request");
        }
        Thread.sleep(1_500); // the orphaned exchanges complete and are freed
        assertTrue(server.isAlive());
        HttpResponse<String> after = server.post("/lightbridge/diag/echo", "still here");
        assertEquals("still here", after.body());
        int fdsAfter = LighttpdServer.fdCount(pid);
        assertTrue(fdsAfter <= fdsBefore + 2, "fds before " + fdsBefore + ", after " + fdsAfter);
        server.signal("HUP"); // the module logs its exchange counters
        Matcher counters = awaitExchangeCounters(server);
        assertEquals(0, Integer.parseInt(counters.group(1)), "exchanges still open (leaked): " + counters.group());
        assertTrue(Integer.parseInt(counters.group(2)) > 0, "the aborts did orphan exchanges held by Java");
    }

    private static Matcher awaitExchangeCounters(LighttpdServer server) throws InterruptedException {
        Pattern line = Pattern.compile("mod_lightbridge: (\\d+) exchanges open, (\\d+) orphaned");
        for (int i = 0; i < 100; i++) {
            Matcher m = line.matcher(server.errorLog());
            if (m.find()) return m;
            Thread.sleep(20);
        }
        throw new AssertionError("no exchange counters after SIGHUP:\n" + server.errorLog());
    }
}
