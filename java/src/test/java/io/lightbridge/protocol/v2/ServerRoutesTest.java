package io.lightbridge.protocol.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ServerRoutesTest {

    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final ServerRoutes routes = new ServerRoutes("lightbridge", "1.2.3", List.of("model_repository"), ready::get);
    private final Pipeline pipeline = new Pipeline(routes,
            request -> {
                throw new AuthenticationException(AuthenticationException.Fault.SERVER, "none", "no identity here");
            },
            (p, a, r) -> Decision.defaultDeny(), AuditTrail.DISABLED, Clock.systemUTC(), ServerLog.NONE);

    private Response get(String path) {
        return pipeline.handle(new Request("GET", path, "", null, "127.0.0.1", null));
    }

    @Test
    void liveAnswersTrue() {
        Response response = get("/v2/health/live");
        assertEquals(200, response.status());
        assertEquals("{\"live\":true}", response.bodyText());
        assertEquals("application/json", response.header("Content-Type"));
    }

    @Test
    void readyFollowsTheRuntime() {
        assertEquals(200, get("/v2/health/ready").status());
        assertEquals("{\"ready\":true}", get("/v2/health/ready").bodyText());
        ready.set(false);
        assertEquals(503, get("/v2/health/ready").status());
        assertEquals("{\"ready\":false}", get("/v2/health/ready").bodyText());
    }

    @Test
    void metadataNamesServerVersionAndExtensions() {
        Response response = get("/v2");
        assertEquals(200, response.status());
        assertEquals("{\"name\":\"lightbridge\",\"version\":\"1.2.3\",\"extensions\":[\"model_repository\"]}",
                response.bodyText());
    }

    @Test
    void allServerRoutesAreOpenAndInline() {
        for (String path : List.of("/v2/health/live", "/v2/health/ready", "/v2")) {
            Route route = routes.route(new Request("GET", path, "", null, "", null));
            assertTrue(assertInstanceOf(Route.Open.class, route).inline(), path);
        }
    }

    @Test
    void otherMethodsAre405AndOtherPathsAJson404() {
        Response post = pipeline.handle(new Request("POST", "/v2/health/live", "", null, "", null));
        assertEquals(405, post.status());
        assertEquals("GET", post.header("Allow"));
        Response unknown = get("/v2/models/nothing");
        assertEquals(404, unknown.status());
        assertEquals("application/json", unknown.header("Content-Type"));
        assertTrue(unknown.bodyText().startsWith("{\"error\":"), unknown.bodyText());
    }
}
