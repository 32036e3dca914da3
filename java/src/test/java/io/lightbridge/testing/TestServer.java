package io.lightbridge.testing;

import io.lightbridge.acl.Action;
import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.auth.Authenticator;
import io.lightbridge.auth.Principal;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.ModelHandler;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small model server for pipeline tests: {@code POST /v2/models/{name}/infer} with one known model,
 * and bearer tokens of the form {@code subject;group;role} (the identity component's real JWT validation
 * is tested on its own; here only the principal it yields matters).
 */
public final class TestServer {
    public static final String MODEL = "fraud-detector";
    public static final String VERSION = "3";
    public static final String ISSUER = "https://idp.test/realms/lightbridge";

    /** How often the model itself ran, to show that refused calls never reach it. */
    public final AtomicInteger modelCalls = new AtomicInteger();

    public static final String POLICY = """
            policy:
              watch-interval: 0s
              rules:
                - id: ds-use
                  actions: [infer, metadata]
                  models: ["*"]
                  callers: { groups: [data-science] }
                - id: admins
                  actions: [admin, metrics]
                  models: ["*"]
                  callers: { roles: [ml-admin] }
            """;

    public final Authenticator authenticator = request -> {
        String auth = request.header("Authorization");
        if (auth == null) {
            throw new AuthenticationException(AuthenticationException.Fault.CALLER, "missing_token", "no bearer token");
        }
        String token = auth.substring("Bearer ".length());
        if (token.equals("expired")) {
            throw new AuthenticationException(AuthenticationException.Fault.CALLER, "expired", "token expired");
        }
        String[] parts = token.split(";", -1);
        return new Principal(parts[0], ISSUER, "client-" + parts[0], parts[1].isEmpty() ? Set.of() : Set.of(parts[1]),
                parts[2].isEmpty() ? Set.of() : Set.of(parts[2]), Set.of("openid"), "jti-" + parts[0],
                Instant.parse("2030-01-01T00:00:00Z"), Map.of());
    };

    public final Router router = request -> {
        String p = request.path();
        if (!p.startsWith("/v2/models/") || !p.endsWith("/infer")) {
            return Route.NOT_FOUND;
        }
        String model = p.substring("/v2/models/".length(), p.length() - "/infer".length());
        if (!request.method().equals("POST")) {
            return new Route.MethodNotAllowed("POST");
        }
        return new Route.Guarded(Action.INFER, model, null, this::infer);
    };

    private ModelHandler.Outcome infer(Request request, Principal principal) {
        modelCalls.incrementAndGet();
        String path = request.path();
        if (!path.equals("/v2/models/" + MODEL + "/infer")) {
            return ModelHandler.Outcome.failed(Response.error(404, "no such model"), "model_not_found");
        }
        String body = new String(request.body(), StandardCharsets.UTF_8);
        if (!body.startsWith("{\"inputs\"")) {
            return ModelHandler.Outcome.failed(Response.error(400, "malformed request body"), "bad_request");
        }
        return ModelHandler.Outcome.of(Response.json(200, "{\"outputs\":[0.123456789]}"), VERSION);
    }

    public static Request infer(String model, String token, String body, String requestId) {
        Headers headers = Headers.of("X-Request-Id", requestId, "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        if (token != null) {
            headers = headers.with("Authorization", "Bearer " + token);
        }
        return new Request("POST", "/v2/models/" + model + "/infer", "", headers, "192.0.2.7",
                body.getBytes(StandardCharsets.UTF_8));
    }
}
