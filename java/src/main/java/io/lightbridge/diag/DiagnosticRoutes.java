package io.lightbridge.diag;

import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;

/**
 * Routes for tests and benchmarks, mounted only when {@code server.diagnostics: true}. Both go through the worker
 * pool, which is what they exist to exercise:
 * <ul>
 *   <li>{@code POST /lightbridge/diag/echo[?sleep-ms=N]} answers the request body (with its Content-Type) after
 *       sleeping N ms, so tests can see crossed responses, fill the queue or pass a deadline;</li>
 *   <li>{@code GET /lightbridge/diag/noop} answers what the health route answers, so the two differ only by the
 *       hand-off to a worker and back.</li>
 * </ul>
 */
public final class DiagnosticRoutes implements Router {

    public static final String ECHO_PATH = "/lightbridge/diag/echo";
    public static final String NOOP_PATH = "/lightbridge/diag/noop";
    public static final long MAX_SLEEP_MS = 10_000;

    private final Route echo = new Route.Open(DiagnosticRoutes::echo, false);
    private final Route noop;

    /** @param noopAnswer what the no-op route answers */
    public DiagnosticRoutes(Response noopAnswer) {
        this.noop = new Route.Open(request -> noopAnswer, false);
    }

    @Override
    public Route route(Request request) {
        return switch (request.path()) {
            case ECHO_PATH -> request.method().equals("POST") ? echo : new Route.MethodNotAllowed("POST");
            case NOOP_PATH -> request.method().equals("GET") ? noop : new Route.MethodNotAllowed("GET");
            default -> Route.NOT_FOUND;
        };
    }

    private static Response echo(Request request) {
        long sleepMs;
        try {
            sleepMs = sleepMillis(request.query());
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
        if (sleepMs > 0) {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Response.error(503, "echo interrupted while sleeping");
            }
        }
        String type = request.header("Content-Type");
        return new Response(200, Headers.of("Content-Type", type == null ? "application/octet-stream" : type),
                request.body());
    }

    static long sleepMillis(String query) {
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("sleep-ms=")) {
                String value = parameter.substring("sleep-ms=".length());
                long ms;
                try {
                    ms = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("sleep-ms: not a number: " + value);
                }
                if (ms < 0 || ms > MAX_SLEEP_MS) {
                    throw new IllegalArgumentException("sleep-ms: must be between 0 and " + MAX_SLEEP_MS);
                }
                return ms;
            }
        }
        return 0;
    }
}
