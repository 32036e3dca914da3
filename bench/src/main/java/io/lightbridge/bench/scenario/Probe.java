package io.lightbridge.bench.scenario;

import io.lightbridge.bench.load.Target;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Single requests for set-up checks (not load): is the route there, how big is its answer. */
final class Probe {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Probe() {}

    static HttpResponse<byte[]> send(Target t) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create(t.url())).timeout(Duration.ofSeconds(10))
                .method(t.method(), t.body().length == 0 && t.method().equals("GET")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(t.body()));
        for (int i = 0; i < t.headers().size(); i += 2) {
            b.header(t.headers().get(i), t.headers().get(i + 1));
        }
        if (!t.tokens().isEmpty()) {
            b.header("Authorization", "Bearer " + t.tokens().getFirst());
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * The body of a 200 answer; anything else fails the scenario with what came back. A peer that has just started
     * may answer its first requests with 503/504 (a cold JVM misses the 50 ms deadline): those are retried for up
     * to 10 s; the warm-up and the measured runs that follow accept no such answers.
     */
    static byte[] expectOk(Target t) throws IOException, InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        var r = send(t);
        while ((r.statusCode() == 503 || r.statusCode() == 504) && System.nanoTime() < until) {
            Thread.sleep(200);
            r = send(t);
        }
        if (r.statusCode() != 200) {
            throw new BenchFailure(t.label() + ": " + t.method() + " " + t.url() + " answered " + r.statusCode()
                    + " " + new String(r.body(), StandardCharsets.UTF_8).strip());
        }
        return r.body();
    }

    /** A JSON document of exactly {@code size} bytes, for a static file the size of a dynamic answer. */
    static byte[] jsonOfSize(int size) {
        String open = "{\"pad\":\"";
        String close = "\"}";
        int pad = size - open.length() - close.length();
        if (pad < 0) {
            return "x".repeat(size).getBytes(StandardCharsets.US_ASCII);
        }
        return (open + "x".repeat(pad) + close).getBytes(StandardCharsets.US_ASCII);
    }
}
