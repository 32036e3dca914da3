package io.lightbridge.bench.jmh;

import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.ModelLease;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.Tensor;
import io.lightbridge.pipeline.Handler;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A handler that is only the model call of a request — lease, input checks, the batcher or the session, output copy —
 * on one already decoded row, without protocol, identity or audit: what dynamic batching itself changes, measured
 * the same way as the whole pipeline in {@link ClosedLoop}.
 */
final class ModelCalls implements Handler {

    private static final Response ANSWERED = Response.json(200, "{}");

    private final ModelRepository repository;
    private final String model;
    private final List<Tensor> row;

    ModelCalls(ModelRepository repository, String model) {
        this.repository = repository;
        this.model = model;
        this.row = List.of(Tensor.ofFloats(SampleRequests.inputName(model), SampleRequests.shape(model),
                SampleRequests.row(model)));
    }

    /** Waits on the worker for the call (a batched call holds its worker), as handlers did before async ones. */
    @Override
    public Response handle(Request request) {
        return respond(request, System.nanoTime() + Long.MAX_VALUE / 4).join();
    }

    @Override
    public CompletableFuture<Response> respond(Request request, long deadlineNanos) {
        ModelLease lease;
        try {
            lease = repository.acquire(model, null);
        } catch (ModelCallException e) {
            return CompletableFuture.failedFuture(e);
        }
        return lease.version().inferAsync(row, List.of(), deadlineNanos).handle((result, failure) -> {
            lease.close();
            if (failure != null) {
                throw new CompletionException(failure);
            }
            return ANSWERED;
        });
    }

    /** This handler with {@link #respond} hidden: every call runs through {@link #handle}, holding its worker. */
    Handler blocking() {
        return this::handle;
    }
}
