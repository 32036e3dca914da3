package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module's routes through a real lighttpd, over HTTP/1.1 and h2c, with every kind of request body. */
class EndpointsIT {

    private static LighttpdServer server;

    @BeforeAll
    static void start() throws Exception {
        server = LighttpdServer.config("endpoints").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void healthRoutesAnswerOk() throws Exception {
        for (String path : new String[] {"/v2/health/live", "/v2/health/ready"}) {
            HttpResponse<String> response = server.get(path);
            assertEquals(200, response.statusCode(), path);
        }
    }

    @Test
    void serverMetadataNamesServerVersionAndExtensions() throws Exception {
        HttpResponse<String> response = server.get("/v2");
        assertEquals(200, response.statusCode());
        assertJson(response);
        for (String field : new String[] {"\"name\"", "\"version\"", "\"extensions\""})
            assertTrue(response.body().contains(field), () -> field + " missing in " + response.body());
    }

    @Test
    void rangeRequestsGetTheWholeAnswer() throws Exception {
        HttpResponse<String> response = server.client().send(HttpRequest.newBuilder(server.uri("/v2"))
                .header("Range", "bytes=0-3").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("none", response.headers().firstValue("Accept-Ranges").orElse(""));
        assertJson(response);
    }

    @Test
    void unknownPathUnderTheModuleIsJson404() throws Exception {
        HttpResponse<String> response = server.get("/v2/no/such/route");
        assertEquals(404, response.statusCode());
        assertJson(response);
    }

    @Test
    void staticFilesOutsideTheModuleStillServed() throws Exception {
        HttpResponse<String> response = server.get("/static.json");
        assertEquals(200, response.statusCode());
        assertEquals(LighttpdServer.STATIC_BODY, response.body());
    }

    @Test
    void echoReturnsTheBodyAndQueryReachesJava() throws Exception {
        HttpResponse<String> response = server.post("/lightbridge/diag/echo?sleep-ms=1", "héllo, bridge");
        assertEquals(200, response.statusCode());
        assertEquals("héllo, bridge", response.body());
    }

    @Test
    void chunkedRequestBodyIsCollected() throws Exception {
        byte[] body = randomBytes(40_000, 1);
        HttpResponse<byte[]> response = server.client().send(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))) // chunked
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(body, response.body());
    }

    @Test
    void bodiesOver64KiBAreSpooledAndReadBack() throws Exception {
        byte[] body = randomBytes(300_000, 2);
        HttpResponse<byte[]> sized = server.client().send(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, sized.statusCode());
        assertArrayEquals(body, sized.body());
        HttpResponse<byte[]> chunked = server.client().send(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, chunked.statusCode());
        assertArrayEquals(body, chunked.body());
    }

    @Test
    void bodyOverTheLimitIs413WithJsonBeforeItIsRead() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            String response = raw.send("POST /lightbridge/diag/echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    + "Content-Length: 2000000\r\n\r\n").readAll();
            assertEquals(413, RawHttp.status(response), response);
            assertTrue(response.contains("application/json") && response.contains("max-request-body"), response);
        }
    }

    @Test
    void chunkedBodyGrowingOverTheLimitIs413() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("POST /lightbridge/diag/echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < 40 && raw.trySend(chunk); i++) {
                // 40 × 64 KiB = 2.5 MiB, over the 1 MiB limit; the server may answer and close early
            }
            String response = raw.readAll();
            assertEquals(413, RawHttp.status(response), response);
        }
    }

    @Test
    void h2cPriorKnowledgeWorksLikeHttp11() throws Exception {
        Path body = Files.write(server.dir().resolve("h2-body.bin"), randomBytes(100_000, 3));
        Process curl = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "--max-time", "30",
                "-o", server.dir().resolve("h2-echo.bin").toString(), "-w", "%{http_version} %{http_code}",
                "--data-binary", "@" + body, server.uri("/lightbridge/diag/echo").toString())
                .redirectErrorStream(true).start();
        String result = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, curl.waitFor(), result);
        assertEquals("2 200", result);
        assertArrayEquals(Files.readAllBytes(body), Files.readAllBytes(server.dir().resolve("h2-echo.bin")));

        Process health = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "--max-time", "30",
                "-w", "\n%{http_version} %{http_code}", server.uri("/v2/health/ready").toString()).start();
        String healthResult = new String(health.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, health.waitFor());
        assertTrue(healthResult.endsWith("\n2 200"), healthResult);
    }

    @Test
    void h2cUpgradeFromJavaHttpClientWorks() throws Exception {
        try (HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            // the first request (no body) carries Upgrade: h2c; the next ones run as HTTP/2 streams
            HttpResponse<String> upgraded = h2.send(HttpRequest.newBuilder(server.uri("/v2/health/live"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, upgraded.statusCode());
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = h2.send(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo"))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("h2-" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals("h2-" + i, response.body());
                assertEquals(HttpClient.Version.HTTP_2, response.version());
            }
        }
    }

    static void assertJson(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("application/json"), () -> "Content-Type " + type);
        assertTrue(response.body().strip().startsWith("{"), response::body);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
