package io.lightbridge.pipeline;

import io.lightbridge.acl.Authorizer;
import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditRecord;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.audit.AuditUnavailableException;
import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.auth.Authenticator;
import io.lightbridge.auth.Principal;
import io.lightbridge.log.ServerLog;
import io.lightbridge.metrics.CallMetrics;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * The server-agnostic request path: route → identity → policy → handler → audit.
 * Fails closed: without a trusted principal, an allowing decision and a writable audit trail the model is not called.
 *
 * <p>Two ways to drive it: {@link #handle} answers on the calling thread (waiting for a batched model call);
 * {@link #respond} returns as soon as the call waits, and the thread that completes the call (the one that ran its batch) appends
 * the audit record and completes the response, so no thread is parked per waiting request.
 */
public final class Pipeline implements Handler {

    private final Router router;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final AuditTrail audit;
    private final Clock clock;
    private final ServerLog log;
    private final CallMetrics metrics;

    public Pipeline(Router router, Authenticator authenticator, Authorizer authorizer, AuditTrail audit,
                    Clock clock, ServerLog log) {
        this(router, authenticator, authorizer, audit, clock, log, CallMetrics.NONE);
    }

    public Pipeline(Router router, Authenticator authenticator, Authorizer authorizer, AuditTrail audit,
                    Clock clock, ServerLog log, CallMetrics metrics) {
        this.router = router;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.audit = audit;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
    }

    /** The route alone, so a server can answer {@link Route.Open#inline()} routes on its own thread. */
    public Route route(Request request) {
        return router.route(request);
    }

    @Override
    public Response handle(Request request) {
        return handle(request, route(request));
    }

    /** Answers on the calling thread; a {@link ModelHandler.Deferred} call is waited for. */
    public Response handle(Request request, Route route) {
        long startNanos = System.nanoTime();
        String requestId = RequestIds.of(request);
        Response response;
        try {
            response = switch (route) {
                case Route.Guarded guarded -> guarded(request, guarded, requestId, startNanos);
                default -> unguarded(request, route);
            };
        } catch (RuntimeException e) {
            response = failed(requestId, e);
        }
        return response.withHeader("X-Request-Id", requestId);
    }

    @Override
    public CompletableFuture<Response> respond(Request request, long deadlineNanos) {
        return respond(request, route(request), deadlineNanos);
    }

    /**
     * As {@link #handle(Request, Route)}, without waiting for a model call that waits (a batch): the stage completes on
     * the thread that finishes the call, after the audit record is appended. {@code deadlineNanos} goes to the model
     * handler, which answers a call still waiting then without running it.
     */
    public CompletableFuture<Response> respond(Request request, Route route, long deadlineNanos) {
        if (!(route instanceof Route.Guarded guarded)) {
            return CompletableFuture.completedFuture(handle(request, route));
        }
        long startNanos = System.nanoTime();
        String requestId = RequestIds.of(request);
        try {
            return guardedAsync(request, guarded, requestId, startNanos, deadlineNanos);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failed(requestId, e).withHeader("X-Request-Id", requestId));
        }
    }

    /** This pipeline bound to a route already decided (the server routes on its own thread first). */
    public Handler forRoute(Route route) {
        return new Handler() {
            @Override
            public Response handle(Request request) {
                return Pipeline.this.handle(request, route);
            }

            @Override
            public CompletableFuture<Response> respond(Request request, long deadlineNanos) {
                return Pipeline.this.respond(request, route, deadlineNanos);
            }
        };
    }

    private Response unguarded(Request request, Route route) {
        return switch (route) {
            case Route.Open open -> open.handler().handle(request);
            case Route.NotFound _ -> Response.error(404, "no route for " + request.method() + " " + request.path());
            case Route.MethodNotAllowed m ->
                    Response.error(405, "method " + request.method() + " not allowed").withHeader("Allow", m.allowed());
            case Route.Guarded _ -> throw new IllegalArgumentException("guarded routes are not answered here");
        };
    }

    private Response failed(String requestId, Throwable t) {
        log.error("request " + requestId + " failed: " + t);
        return Response.error(500, "internal error, request id " + requestId);
    }

    private Response guarded(Request request, Route.Guarded route, String requestId, long startNanos) {
        var call = new CallRecord(request, route, requestId, startNanos);
        Response refused = admit(call);
        if (refused != null) {
            return refused;
        }
        long handlerStart = System.nanoTime();
        ModelHandler.Outcome outcome;
        try {
            outcome = route.handler().handle(request, call.principal);
        } catch (RuntimeException e) {
            outcome = handlerFailed(requestId, e);
        }
        call.handled(handlerStart);
        return call.finish(outcome.response(), outcome.modelVersion(), outcome.errorClass());
    }

    /** The answer, with its X-Request-Id, complete once the call is done and its record appended. */
    private CompletableFuture<Response> guardedAsync(Request request, Route.Guarded route, String requestId,
                                                     long startNanos, long deadlineNanos) {
        var call = new CallRecord(request, route, requestId, startNanos);
        Response refused = admit(call);
        if (refused != null) {
            return CompletableFuture.completedFuture(call.identified(refused));
        }
        long handlerStart = System.nanoTime();
        CompletableFuture<ModelHandler.Outcome> stage;
        try {
            stage = route.handler().handleAsync(request, call.principal, deadlineNanos);
        } catch (RuntimeException e) {
            stage = CompletableFuture.completedFuture(handlerFailed(requestId, e));
        }
        if (stage.isDone() && !stage.isCompletedExceptionally()) {
            // answered now (no batching, a cache hit, a refusal): finish here, as the blocking path does
            call.handled(handlerStart);
            ModelHandler.Outcome outcome = stage.join();
            return CompletableFuture.completedFuture(call.identified(call.finish(outcome.response(),
                    outcome.modelVersion(), outcome.errorClass())));
        }
        // one dependent stage per call: the thread completing a batch runs this for each of its calls
        var answer = new CompletableFuture<Response>();
        stage.whenComplete((outcome, failure) -> {
            try {
                call.handled(handlerStart);
                ModelHandler.Outcome o = failure == null ? outcome : handlerFailed(requestId, failure);
                call.finishLater(o.response(), o.modelVersion(), o.errorClass(), answer);
            } catch (RuntimeException e) {
                answer.complete(call.identified(failed(requestId, e)));
            } catch (Error e) {
                answer.completeExceptionally(e); // the caller (the worker pool) answers 500
            }
        });
        return answer;
    }

    /** The refusal of identity, policy or audit (recorded), or null when the model may be called. */
    private Response admit(CallRecord call) {
        try {
            call.principal = authenticator.authenticate(call.request);
        } catch (AuthenticationException e) {
            metrics.authenticationFailed(e.reason());
            return call.finish(Responses.unauthenticated(e), null, "auth:" + e.reason());
        }
        call.decision = authorizer.decide(call.principal, call.route.action(), call.route.resource());
        if (!call.decision.allowed()) {
            metrics.denied(call.route.action(), call.decision.ruleId());
            return call.finish(Responses.forbidden(call.route.action(), call.route.resource()), null, "forbidden");
        }
        try {
            audit.ensureWritable();
        } catch (AuditUnavailableException e) {
            log.error("audit trail unavailable, refusing model calls: " + e.getMessage());
            return call.finish(AUDIT_UNAVAILABLE, null, "audit_unavailable");
        }
        return null;
    }

    /** A model call that failed is still a model call: it gets its audit record like any other. */
    private ModelHandler.Outcome handlerFailed(String requestId, Throwable t) {
        log.error("request " + requestId + " failed in the model handler: " + t);
        return ModelHandler.Outcome.failed(Response.error(500, "internal error, request id " + requestId), "internal");
    }

    private static final Response AUDIT_UNAVAILABLE =
            Response.error(503, "audit trail unavailable").withHeader("Retry-After", "1");

    /**
     * Collects what the audit record needs while a guarded call runs. What the request alone decides (body digest,
     * traceparent) is taken on the thread that starts the call, so the thread finishing a batch's calls does less.
     */
    private final class CallRecord {
        private final Request request;
        private final Route.Guarded route;
        private final String requestId;
        private final long startNanos;
        private final String bodySha256;
        private final String traceparent;
        private Principal principal;
        private Decision decision;
        private long handlerNanos = -1;
        /** When the handler returned (set with handlerNanos): the record's latency ends there, one clock read less. */
        private long handledAt;

        CallRecord(Request request, Route.Guarded route, String requestId, long startNanos) {
            this.request = request;
            this.route = route;
            this.requestId = requestId;
            this.startNanos = startNanos;
            this.bodySha256 = audit.keepsRecords() ? sha256(request.body()) : null;
            this.traceparent = request.header("traceparent");
        }

        void handled(long handlerStart) {
            handledAt = System.nanoTime();
            handlerNanos = handledAt - handlerStart;
        }

        /** Appends the record (waiting for it in sync durability) and returns what to answer. */
        Response finish(Response response, String version, String errorClass) {
            Response answer;
            try {
                if (audit.keepsRecords()) { // else no record to build (a clock read and an allocation)
                    audit.append(record(response, version, errorClass));
                }
                answer = response;
            } catch (AuditUnavailableException e) {
                answer = notAudited(e);
            }
            return completed(answer, version);
        }

        /** As {@link #finish}, not waiting for the record: completes {@code answer} once the record is safe. */
        void finishLater(Response response, String version, String errorClass, CompletableFuture<Response> answer) {
            CompletableFuture<Void> written = audit.appendAsync(record(response, version, errorClass));
            if (written.isDone()) {
                answer.complete(identified(completed(written.isCompletedExceptionally()
                        ? notAudited(written.exceptionNow()) : response, version)));
            } else {
                written.whenComplete((ok, failure) -> {
                    try {
                        answer.complete(identified(completed(failure == null ? response : notAudited(failure), version)));
                    } catch (Throwable t) {
                        answer.completeExceptionally(t); // never leave the answer pending
                    }
                });
            }
        }

        Response identified(Response response) {
            return response.withHeader("X-Request-Id", requestId);
        }

        private AuditRecord record(Response response, String version, String errorClass) {
            Principal p = principal;
            Decision d = decision;
            return new AuditRecord(
                    clock.instant(), requestId, traceparent, request.remoteAddress(),
                    p == null ? null : p.subject(), p == null ? null : p.clientId(),
                    p == null ? null : p.issuer(), p == null ? null : p.tokenId(),
                    route.resource(), version, route.action().wireName(),
                    d != null && d.allowed(), d == null ? null : d.ruleId(),
                    response.status(), ((handlerNanos >= 0 ? handledAt : System.nanoTime()) - startNanos) / 1_000,
                    bodySha256, errorClass);
        }

        private Response notAudited(Throwable failure) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : failure;
            log.error("audit record for request " + requestId + " not written: " + cause.getMessage());
            return AUDIT_UNAVAILABLE;
        }

        private Response completed(Response answer, String version) {
            metrics.completed(route.resource(), version, answer.status(), handlerNanos, System.nanoTime() - startNanos);
            return answer;
        }
    }

    /**
     * A never-updated SHA-256 digest to clone per request: {@code MessageDigest.getInstance} walks the provider list
     * and its algorithm constraints on every call (≈ 0.5 µs, measured as 4 % of a breast-cancer infer request), a
     * clone copies only the initial state. Cloning reads the prototype without changing it, so threads share it safely.
     */
    private static final MessageDigest SHA256 = newSha256();

    private static MessageDigest newSha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.clone();
            return md;
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            throw new ExceptionInInitializerError("SHA-256 is part of every JDK and its digests clone: " + e);
        }
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(((MessageDigest) SHA256.clone()).digest(body));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("checked when the class loaded", e);
        }
    }
}
