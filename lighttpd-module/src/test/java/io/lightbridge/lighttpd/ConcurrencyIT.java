package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hand-off under concurrency: no crossed responses, and Java work never stalls lighttpd's event loop. */
class ConcurrencyIT {

    private static LighttpdServer server;

    @BeforeAll
    static void start() throws Exception {
        server = LighttpdServer.config("concurrency").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void thousandConcurrentEchoesEachGetTheirOwnBody() throws Exception {
        int count = 1_000;
        try (var executor = Executors.newFixedThreadPool(8);
             HttpClient client = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1).build()) {
            List<String> bodies = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "request-" + i + "-" + "x".repeat(i % 97) + "-" + Integer.toHexString(i * 7919);
                bodies.add(body);
                responses.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo?sleep-ms=" + (i % 3)))
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++) {
                HttpResponse<String> response = responses.get(i).join();
                assertEquals(200, response.statusCode(), "request " + i + ": " + response.body());
                assertEquals(bodies.get(i), response.body(), "request " + i);
            }
        }
    }

    /**
     * A waiting request keeps its socket's read interest (no epoll_ctl per request); a pipelined request that arrives
     * meanwhile must then neither be lost nor make the event loop spin on its unread bytes until the first answers.
     */
    @Test
    void pipelinedRequestArrivingWhileTheFirstWaitsIsAnsweredInOrderWithoutSpinning() throws Exception {
        long pid = server.pid();
        try (RawHttp connection = new RawHttp(server.port())) {
            connection.send("POST /lightbridge/diag/echo?sleep-ms=600 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst");
            Thread.sleep(100); // the first now waits in Java
            long ticksBefore = LighttpdServer.eventLoopCpuTicks(pid);
            connection.send("POST /lightbridge/diag/echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    + "Content-Length: 6\r\n\r\nsecond");
            String responses = connection.readAll();
            long busyTicks = LighttpdServer.eventLoopCpuTicks(pid) - ticksBefore;
            int first = responses.indexOf("\r\n\r\nfirst");
            int second = responses.indexOf("\r\n\r\nsecond");
            assertTrue(first > 0 && second > first, "both answered, in order: " + responses);
            assertTrue(busyTicks < 20, "the event loop spun for " + busyTicks + " ticks while the first request waited ~500 ms");
        }
    }

    @Test
    void concurrentHttp2StreamsEachGetTheirOwnBody() throws Exception {
        try (HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            assertEquals(200, h2.send(HttpRequest.newBuilder(server.uri("/v2/health/live")).build(), // Upgrade: h2c
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            for (int wave = 0; wave < 25; wave++) { // lighttpd allows 8 concurrent streams per connection
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < 8; i++)
                    responses.add(h2.sendAsync(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo?sleep-ms=" + (i % 3)))
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("stream-" + wave + "-" + i))
                            .build(), HttpResponse.BodyHandlers.ofString()));
                for (int i = 0; i < responses.size(); i++) {
                    HttpResponse<String> response = responses.get(i).get(60, TimeUnit.SECONDS);
                    assertEquals(HttpClient.Version.HTTP_2, response.version());
                    assertEquals("stream-" + wave + "-" + i, response.body());
                }
            }
        }
    }

    @Test
    void echoSleeping200msDoesNotDelayAStaticFile() throws Exception {
        try (var executor = Executors.newFixedThreadPool(4);
             HttpClient slowClient = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1).build()) {
            assertEquals("warm", server.post("/lightbridge/diag/echo?sleep-ms=1", "warm").body()); // classes loaded
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 8; i++) // 8 × 200 ms on 4 Java workers: Java is busy for ≈ 400 ms
                slow.add(slowClient.sendAsync(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo?sleep-ms=200"))
                        .POST(HttpRequest.BodyPublishers.ofString("slow-" + i)).build(), HttpResponse.BodyHandlers.ofString()));
            Thread.sleep(50); // the slow requests are in Java now
            long[] staticMicros = new long[20];
            for (int i = 0; i < staticMicros.length; i++) {
                long begin = System.nanoTime();
                HttpResponse<String> response = server.get("/static.json");
                staticMicros[i] = (System.nanoTime() - begin) / 1_000;
                assertEquals(200, response.statusCode());
            }
            boolean slowStillRunning = slow.stream().anyMatch(f -> !f.isDone());
            for (int i = 0; i < slow.size(); i++)
                assertEquals("slow-" + i, slow.get(i).get(30, TimeUnit.SECONDS).body());
            Arrays.sort(staticMicros);
            long median = staticMicros[staticMicros.length / 2];
            System.out.printf("static file while echo sleeps 200 ms: median %d µs, max %d µs%n",
                    median, staticMicros[staticMicros.length - 1]);
            assertTrue(slowStillRunning, "the static requests must have run while Java was still sleeping");
            assertTrue(median < 50_000, "median static latency " + median + " µs while Java sleeps");
            assertTrue(staticMicros[staticMicros.length - 1] < 200_000, // a stall behind Java would take ≥ 200 ms
                    "max static latency " + staticMicros[staticMicros.length - 1] + " µs while Java sleeps");
        }
    }
}
