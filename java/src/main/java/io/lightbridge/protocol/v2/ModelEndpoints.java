package io.lightbridge.protocol.v2;

import io.lightbridge.log.ServerLog;
import io.lightbridge.model.InferenceResult;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.ModelLease;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.ModelVersion;
import io.lightbridge.model.TensorSpec;
import io.lightbridge.model.VersionStatus;
import io.lightbridge.pipeline.Json;
import io.lightbridge.pipeline.ModelHandler.Outcome;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.protocol.ModelErrors;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The per-model endpoints of the Open Inference Protocol v2: metadata, ready, infer. */
final class ModelEndpoints {

    private final ModelRepository repository;
    private final ServerLog log;

    ModelEndpoints(ModelRepository repository, ServerLog log) {
        this.repository = repository;
        this.log = log;
    }

    Outcome metadata(String model, String version) {
        try (ModelLease lease = repository.acquire(model, version)) {
            ModelVersion mv = lease.version();
            List<String> versions = repository.index().stream()
                    .filter(s -> s.model().equals(model) && s.ready()).map(VersionStatus::version).toList();
            var sb = new StringBuilder("{\"name\":").append(Json.quote(model)).append(",\"versions\":[");
            for (int i = 0; i < versions.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(Json.quote(versions.get(i)));
            }
            sb.append("],\"platform\":\"").append(ModelVersion.PLATFORM).append("\",\"inputs\":");
            specs(sb, mv.inputs());
            sb.append(",\"outputs\":");
            specs(sb, mv.outputs());
            sb.append('}');
            return Outcome.of(Response.json(200, sb.toString()), mv.version());
        } catch (ModelCallException e) {
            return ModelErrors.outcome(e, null, log);
        }
    }

    private static void specs(StringBuilder sb, List<TensorSpec> specs) {
        sb.append('[');
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec s = specs.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.quote(s.name()))
                    .append(",\"datatype\":\"").append(s.type().wireName()).append("\",\"shape\":[");
            for (int d = 0; d < s.rank(); d++) {
                sb.append(d == 0 ? "" : ",").append(s.dim(d));
            }
            sb.append("]}");
        }
        sb.append(']');
    }

    /** 200 with ready: true, or 400 with ready: false and the reason (the protocol signals readiness by status). */
    Outcome ready(String model, String version) {
        try {
            VersionStatus s = repository.status(model, version);
            String body = "{\"name\":" + Json.quote(model) + ",\"version\":" + Json.quote(s.version())
                    + ",\"ready\":" + s.ready() + (s.ready() ? "" : ",\"reason\":" + Json.quote(s.reason())) + "}";
            return s.ready() ? Outcome.of(Response.json(200, body), s.version())
                    : new Outcome(Response.json(400, body), null, "not_ready");
        } catch (ModelCallException e) {
            return ModelErrors.outcome(e, null, log);
        }
    }

    /**
     * Decodes and checks the request on the calling thread; the outcome's stage completes when the model answers (on
     * the thread that runs the batch, for a batching version), and the lease is held until then.
     */
    CompletableFuture<Outcome> infer(Request request, String model, String version, long deadlineNanos) {
        InferRequest req;
        ModelLease lease;
        try {
            ModelErrors.checkSize(request, repository.config().maxRequestBytes());
            String headerLength = request.header("Inference-Header-Content-Length");
            String type = ModelErrors.mediaType(request);
            if (headerLength == null && type != null && !type.equals("application/json") && !type.endsWith("+json")) {
                throw ModelErrors.unsupportedMediaType(type,
                        "application/json, or the binary tensor extension with Inference-Header-Content-Length");
            }
            req = InferRequest.decode(request.body(), headerLength);
            lease = repository.acquire(model, version);
        } catch (ModelCallException e) {
            return CompletableFuture.completedFuture(ModelErrors.outcome(e, null, log));
        }
        String answered = lease.version().version();
        CompletableFuture<InferenceResult> result = lease.version().inferAsync(req.inputs(), req.outputs(), deadlineNanos);
        return ModelErrors.whenDone(result, lease, answered, log,
                r -> Outcome.of(InferResponse.encode(r, req.id(), req.binaryOutputs(), req.allBinary()), answered));
    }
}
