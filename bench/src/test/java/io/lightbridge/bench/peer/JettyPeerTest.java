package io.lightbridge.bench.peer;

import io.lightbridge.log.ServerLog;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Peer (c)/(e)'s adapter: Jetty's request reaches the pipeline whole, and its response comes back unchanged. */
class JettyPeerTest {

    static JettyPeer jetty;
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Route echo = new Route.Open(r -> Response.json(201, "{\"method\":\"" + r.method() + "\",\"path\":\"" + r.path()
                + "\",\"query\":\"" + r.query() + "\",\"x\":\"" + r.header("X-Test") + "\",\"remote\":\""
                + r.remoteAddress() + "\",\"body\":\"" + new String(r.body()) + "\"}").withHeader("X-Answer", "yes"), false);
        var pipeline = new Pipeline(r -> r.path().startsWith("/echo") ? echo : Route.NOT_FOUND, null, null, null,
                Clock.systemUTC(), ServerLog.lines(System.err::println));
        jetty = new JettyPeer(pipeline, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.close();
    }

    @Test
    void requestPartsReachThePipelineAndTheResponseComesBack() throws Exception {
        var response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jetty.port() + "/echo/a?b=c"))
                .header("X-Test", "t1").POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode());
        assertEquals("{\"method\":\"POST\",\"path\":\"/echo/a\",\"query\":\"b=c\",\"x\":\"t1\",\"remote\":\"127.0.0.1\","
                + "\"body\":\"hello\"}", response.body());
        assertEquals("yes", response.headers().firstValue("X-Answer").orElseThrow());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(Integer.toString(response.body().length()),
                response.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(1, response.headers().allValues("X-Request-Id").size());
    }

    @Test
    void unknownPathsGetThePipelinesJson404() throws Exception {
        var response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jetty.port() + "/nothing"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode());
        assertEquals("{\"error\":\"no route for GET /nothing\"}", response.body());
    }
}
