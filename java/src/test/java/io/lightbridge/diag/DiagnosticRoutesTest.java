package io.lightbridge.diag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import org.junit.jupiter.api.Test;

class DiagnosticRoutesTest {

    private static final Response NOOP = Response.json(200, "{\"live\":true}");
    private final DiagnosticRoutes routes = new DiagnosticRoutes(NOOP);

    private Response call(String method, String path, String query, Headers headers, byte[] body) {
        var request = new Request(method, path, query, headers, "127.0.0.1", body);
        return assertInstanceOf(Route.Open.class, routes.route(request)).handler().handle(request);
    }

    @Test
    void echoAnswersTheBodyWithItsContentType() {
        byte[] body = {0, 1, 2, (byte) 0xff};
        Response response = call("POST", DiagnosticRoutes.ECHO_PATH, "", Headers.of("content-type", "x/y"), body);
        assertEquals(200, response.status());
        assertArrayEquals(body, response.body());
        assertEquals("x/y", response.header("Content-Type"));
        assertEquals("application/octet-stream",
                call("POST", DiagnosticRoutes.ECHO_PATH, "", null, body).header("Content-Type"));
    }

    @Test
    void echoSleepsWhenAsked() {
        long start = System.nanoTime();
        call("POST", DiagnosticRoutes.ECHO_PATH, "a=b&sleep-ms=30", null, new byte[0]);
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 29);
    }

    @Test
    void aBadSleepIs400() {
        assertEquals(400, call("POST", DiagnosticRoutes.ECHO_PATH, "sleep-ms=soon", null, new byte[0]).status());
        assertEquals(400, call("POST", DiagnosticRoutes.ECHO_PATH, "sleep-ms=-1", null, new byte[0]).status());
        assertEquals(400, call("POST", DiagnosticRoutes.ECHO_PATH, "sleep-ms=10001", null, new byte[0]).status());
    }

    @Test
    void noopAnswersTheGivenResponseThroughTheWorkerPool() {
        var request = new Request("GET", DiagnosticRoutes.NOOP_PATH, "", null, "", null);
        var route = assertInstanceOf(Route.Open.class, routes.route(request));
        assertFalse(route.inline());
        assertEquals(NOOP, route.handler().handle(request));
    }

    @Test
    void wrongMethodsAndOtherPaths() {
        assertInstanceOf(Route.MethodNotAllowed.class,
                routes.route(new Request("GET", DiagnosticRoutes.ECHO_PATH, "", null, "", null)));
        assertInstanceOf(Route.MethodNotAllowed.class,
                routes.route(new Request("POST", DiagnosticRoutes.NOOP_PATH, "", null, "", null)));
        assertEquals(Route.NOT_FOUND, routes.route(new Request("GET", "/lightbridge/diag/other", "", null, "", null)));
    }
}
