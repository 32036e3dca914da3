package io.lightbridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.acl.Action;
import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditRecord;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.ModelHandler;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The identity stage inside the real pipeline: RFC 6750 answers, the principal reaching the model and the audit. */
class IdentityInPipelineTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private LocalIssuer idp;
    private Identity identity;
    private Pipeline pipeline;
    private final List<AuditRecord> audited = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final ServerLog serverLog = ServerLog.lines(log::add);

    @BeforeEach
    void start() throws Exception {
        idp = new LocalIssuer();
        var clock = new MutableClock(NOW);
        identity = Identity.create(new IdentityConfig(List.of(idp.config()), null), clock, serverLog);
        ModelHandler model = (request, principal) ->
                ModelHandler.Outcome.of(Response.json(200, "{\"caller\":\"" + principal.subject() + "\"}"), "1");
        var audit = new AuditTrail() {
            @Override
            public void ensureWritable() {}

            @Override
            public void append(AuditRecord record) {
                audited.add(record);
            }
        };
        pipeline = new Pipeline(request -> new Route.Guarded(Action.INFER, "iris", null, model), identity,
                (principal, action, resource) -> new Decision(principal.roles().contains("model-reader"), "readers"),
                audit, clock, serverLog);
    }

    @AfterEach
    void stop() throws Exception {
        identity.close();
        idp.close();
    }

    private Response call(String authorization) {
        Headers headers = authorization == null ? Headers.EMPTY : Headers.of("Authorization", authorization);
        return pipeline.handle(new Request("POST", "/v2/models/iris/infer", "", headers, "127.0.0.1", new byte[0]));
    }

    @Test
    void validTokenReachesTheModelAndTheAudit() throws Exception {
        Response response = call("Bearer " + idp.rs256(idp.claims(NOW).build()));
        assertEquals(200, response.status());
        assertEquals("{\"caller\":\"alice\"}", response.bodyText());
        assertEquals("alice", audited.getFirst().subject());
        assertEquals("analytics-app", audited.getFirst().clientId());
    }

    @Test
    void noTokenIsA401ChallengeWithoutErrorCode() {
        Response response = call(null);
        assertEquals(401, response.status());
        assertEquals("Bearer realm=\"lightbridge\"", response.header("WWW-Authenticate"));
        assertEquals("application/json", response.header("Content-Type"));
    }

    @Test
    void expiredTokenIsInvalidTokenAndNeverEchoed() throws Exception {
        String token = idp.rs256(idp.claims(NOW.minus(Duration.ofMinutes(30))).build());
        Response response = call("Bearer " + token);
        assertEquals(401, response.status());
        String challenge = response.header("WWW-Authenticate");
        assertTrue(challenge.startsWith("Bearer realm=\"lightbridge\", error=\"invalid_token\", error_description="), challenge);
        assertEquals("{\"error\":\"token expired\"}", response.bodyText());
        assertFalse(challenge.contains(token) || response.bodyText().contains(token));
        assertFalse(log.stream().anyMatch(line -> line.contains(token)));
        assertEquals("auth:expired", audited.getFirst().errorClass());
    }

    @Test
    void issuerWithoutKeysIsA503() throws Exception {
        idp.close();
        try (var offline = Identity.create(new IdentityConfig(List.of(idp.config()), null), new MutableClock(NOW), serverLog)) {
            var p = new Pipeline(request -> new Route.Guarded(Action.INFER, "iris", null,
                    (r, principal) -> ModelHandler.Outcome.of(Response.json(200, "{}"), "1")), offline,
                    (principal, action, resource) -> Decision.defaultDeny(), AuditTrail.DISABLED, new MutableClock(NOW), serverLog);
            Response response = p.handle(new Request("POST", "/v2/models/iris/infer", "",
                    Headers.of("Authorization", "Bearer " + idp.rs256(idp.claims(NOW).build())), "127.0.0.1", null));
            assertEquals(503, response.status());
            assertEquals("5", response.header("Retry-After"));
        }
    }
}
