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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One Java worker and a one-place queue: overload is answered at once, deadlines hold. */
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
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            var busy = echoAsync(client, "?sleep-ms=1500", "busy");
            Thread.sleep(300); // the only worker sleeps
            record Answer(HttpResponse<String> response, long millis) {}
            List<CompletableFuture<Answer>> more = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long started = System.nanoTime();
                more.add(echoAsync(client, "", "more-" + i)
                        .thenApply(r -> new Answer(r, (System.nanoTime() - started) / 1_000_000)));
            }
            int rejected = 0;
            for (int i = 0; i < more.size(); i++) {
                Answer answer = more.get(i).get(30, TimeUnit.SECONDS);
                HttpResponse<String> response = answer.response();
                if (response.statusCode() == 503) {
                    rejected++;
                    assertTrue(response.headers().firstValue("Retry-After").isPresent(), "Retry-After on 503");
                    EndpointsIT.assertJson(response);
                    assertTrue(answer.millis() < 1_000, "503 must not wait for the busy worker, took " + answer.millis() + " ms");
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
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            var busy = echoAsync(client, "?sleep-ms=1000", "busy");
            Thread.sleep(300);
            HttpResponse<String> late = echoAsync(client, "?deadline=tight", "late").get(30, TimeUnit.SECONDS);
            assertEquals(504, late.statusCode(), late.body());
            EndpointsIT.assertJson(late);
            assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        }
    }
}
