package io.lightbridge.protocol.mlflow;

import io.lightbridge.acl.Action;
import io.lightbridge.log.ServerLog;
import io.lightbridge.model.InferenceResult;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.ModelLease;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.ModelsConfig;
import io.lightbridge.model.Tensor;
import io.lightbridge.pipeline.ModelHandler;
import io.lightbridge.pipeline.ModelHandler.Outcome;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;
import io.lightbridge.protocol.ModelErrors;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * MLflow scoring ({@code POST /invocations}, the configured default model, as {@code mlflow models serve} serves one
 * model) and Databricks Model Serving ({@code POST /serving-endpoints/{name}/invocations}). Both need {@code infer} on
 * the model; the answering version is in the {@value #VERSION_HEADER} response header.
 */
public final class InvocationRoutes implements Router {

    public static final String VERSION_HEADER = "X-Model-Version";
    private static final String ENDPOINTS = "/serving-endpoints/";
    private static final String INVOCATIONS = "/invocations";

    private final ModelRepository repository;
    private final ServerLog log;

    private InvocationRoutes(ModelRepository repository, ServerLog log) {
        this.repository = repository;
        this.log = log;
    }

    public static InvocationRoutes create(ModelRepository repository, ServerLog log) {
        return new InvocationRoutes(repository, log);
    }

    @Override
    public Route route(Request request) {
        String path = request.path();
        String model;
        if (path.equals(INVOCATIONS)) {
            model = repository.config().defaultModel();
            if (model == null) {
                return Route.NOT_FOUND;
            }
        } else if (path.startsWith(ENDPOINTS) && path.endsWith(INVOCATIONS)
                && path.length() > ENDPOINTS.length() + INVOCATIONS.length()) {
            model = path.substring(ENDPOINTS.length(), path.length() - INVOCATIONS.length());
            if (!ModelsConfig.isValidName(model)) {
                return Route.NOT_FOUND;
            }
        } else {
            return Route.NOT_FOUND;
        }
        if (!request.method().equals("POST")) {
            return new Route.MethodNotAllowed("POST");
        }
        String name = model;
        ModelHandler.Deferred invoke = (r, p, deadline) -> invoke(r, name, deadline);
        return new Route.Guarded(Action.INFER, name, null, invoke);
    }

    /** Decodes on the calling thread; the outcome completes when the model answers (see {@code ModelEndpoints.infer}). */
    private CompletableFuture<Outcome> invoke(Request request, String model, long deadlineNanos) {
        ScoringRequest req;
        ModelLease lease;
        try {
            ModelErrors.checkSize(request, repository.config().maxRequestBytes());
            String type = ModelErrors.mediaType(request);
            if (type == null || type.equals("application/json") || type.endsWith("+json")) {
                req = ScoringRequest.json(request.body());
            } else if (type.equals("text/csv")) {
                req = ScoringRequest.csv(request.body());
            } else {
                throw ModelErrors.unsupportedMediaType(type, "application/json or text/csv");
            }
            lease = repository.acquire(model, null);
        } catch (ModelCallException e) {
            return CompletableFuture.completedFuture(ModelErrors.outcome(e, null, log));
        }
        String answered = lease.version().version();
        CompletableFuture<InferenceResult> result;
        try {
            List<Tensor> inputs = req.frame() != null
                    ? PyfuncInputs.fromFrame(req.frame(), lease.version())
                    : PyfuncInputs.fromTensors(req.tensors(), lease.version());
            result = lease.version().inferAsync(inputs, List.of(), deadlineNanos);
        } catch (ModelCallException | RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return ModelErrors.whenDone(result, lease, answered, log, r -> Outcome.of(Response.json(200,
                req.frame() != null ? Predictions.records(r) : Predictions.tensors(r)), answered))
                .thenApply(o -> new Outcome(o.response().withHeader(VERSION_HEADER, answered), o.modelVersion(),
                        o.errorClass()));
    }
}
