package io.lightbridge.protocol;

import io.lightbridge.log.ServerLog;
import io.lightbridge.model.InferenceResult;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.ModelLease;
import io.lightbridge.pipeline.ModelHandler;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Turns model-call failures into the protocols' JSON error responses and audit error classes. */
public final class ModelErrors {
    private ModelErrors() {}

    /**
     * The response for {@code e}; a model failure is logged (the client sees the request id in X-Request-Id) and
     * answered without internals.
     */
    public static ModelHandler.Outcome outcome(ModelCallException e, String version, ServerLog log) {
        Response response;
        if (e.kind() == ModelCallException.Kind.MODEL_FAILED) {
            log.error("model call failed: " + e.getMessage());
            response = Response.error(500, "model error: " + e.getMessage()
                    + " (the request id is in X-Request-Id; the model keeps serving)");
        } else {
            response = Response.error(e.kind().status(), e.getMessage());
            if (e.kind() == ModelCallException.Kind.NOT_READY) {
                response = response.withHeader("Retry-After", "1");
            }
        }
        return new ModelHandler.Outcome(response, version, e.kind().errorClass());
    }

    /**
     * The outcome of a model call once {@code result} completes: {@code encode} on success, else the error's response;
     * the lease is released first either way. Runs on the thread that completes {@code result}, or now when it is done.
     */
    public static CompletableFuture<ModelHandler.Outcome> whenDone(CompletableFuture<InferenceResult> result,
            ModelLease lease, String version, ServerLog log, Function<InferenceResult, ModelHandler.Outcome> encode) {
        if (!result.isDone()) {
            return result.handle((r, failure) -> finish(r, failure, lease, version, log, encode));
        }
        boolean ok = result.state() == Future.State.SUCCESS;
        return CompletableFuture.completedFuture(finish(ok ? result.resultNow() : null, ok ? null : result.exceptionNow(),
                lease, version, log, encode));
    }

    private static ModelHandler.Outcome finish(InferenceResult result, Throwable failure, ModelLease lease, String version,
            ServerLog log, Function<InferenceResult, ModelHandler.Outcome> encode) {
        lease.close();
        if (failure == null) {
            return encode.apply(result);
        }
        Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
        if (cause instanceof ModelCallException e) {
            return outcome(e, version, log);
        }
        throw new CompletionException(cause);
    }

    /** 413 when the body is over the configured limit (lighttpd has its own; this covers other hosts). */
    public static void checkSize(Request request, long maxBytes) throws ModelCallException {
        if (request.body().length > maxBytes) {
            throw new ModelCallException(ModelCallException.Kind.TOO_LARGE,
                    "request body of " + request.body().length + " bytes is over the limit of " + maxBytes);
        }
    }

    /** The media type without parameters, lower case; null when the header is absent. */
    public static String mediaType(Request request) {
        String ct = request.header("Content-Type");
        if (ct == null || ct.isBlank()) {
            return null;
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    public static ModelCallException unsupportedMediaType(String type, String accepted) {
        return new ModelCallException(ModelCallException.Kind.UNSUPPORTED_MEDIA_TYPE,
                "content type '" + type + "' is not supported here; use " + accepted);
    }
}
