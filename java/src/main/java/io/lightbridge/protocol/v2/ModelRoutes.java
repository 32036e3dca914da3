package io.lightbridge.protocol.v2;

import io.lightbridge.acl.Action;
import io.lightbridge.log.ServerLog;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.ModelsConfig;
import io.lightbridge.pipeline.ModelHandler;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;

/**
 * The model and repository routes of the Open Inference Protocol v2 (server-wide {@code /v2}, {@code /v2/health/*}
 * belong to {@code ServerRoutes}). Every route is guarded: metadata and ready need {@code metadata}, infer needs
 * {@code infer}, the repository extension needs {@code admin} (on the model, or on "*" for the index).
 *
 * <pre>
 * GET  /v2/models/{m}[/versions/{v}]          metadata
 * GET  /v2/models/{m}[/versions/{v}]/ready    readiness
 * POST /v2/models/{m}[/versions/{v}]/infer    inference
 * POST /v2/repository/index
 * POST /v2/repository/models/{m}/load|unload
 * </pre>
 */
public final class ModelRoutes implements Router {

    private static final String MODELS = "/v2/models/";
    private static final String REPOSITORY = "/v2/repository/";

    private final ModelEndpoints models;
    private final RepositoryEndpoints admin;

    private ModelRoutes(ModelRepository repository, ServerLog log) {
        this.models = new ModelEndpoints(repository, log);
        this.admin = new RepositoryEndpoints(repository, log);
    }

    public static ModelRoutes create(ModelRepository repository, ServerLog log) {
        return new ModelRoutes(repository, log);
    }

    @Override
    public Route route(Request request) {
        String path = request.path();
        if (path.startsWith(MODELS)) {
            return model(request.method(), segments(path, MODELS.length()));
        }
        if (path.startsWith(REPOSITORY)) {
            return repository(request.method(), segments(path, REPOSITORY.length()));
        }
        return Route.NOT_FOUND;
    }

    /** The '/'-separated segments of {@code path} from {@code from} on, as split("/", -1) gives them (runs per request). */
    static String[] segments(String path, int from) {
        int n = 1;
        for (int i = path.indexOf('/', from); i >= 0; i = path.indexOf('/', i + 1)) {
            n++;
        }
        var parts = new String[n];
        int start = from;
        for (int k = 0; k < n - 1; k++) {
            int end = path.indexOf('/', start);
            parts[k] = path.substring(start, end);
            start = end + 1;
        }
        parts[n - 1] = path.substring(start);
        return parts;
    }

    /** {m}, {m}/ready, {m}/infer, {m}/versions/{v}, {m}/versions/{v}/ready, {m}/versions/{v}/infer. */
    private Route model(String method, String[] parts) {
        String name = parts[0];
        if (!ModelsConfig.isValidName(name)) {
            return Route.NOT_FOUND;
        }
        String version = null;
        int rest = 1;
        if (parts.length >= 3 && parts[1].equals("versions")) {
            version = parts[2];
            if (version.isEmpty() || version.length() > 64) {
                return Route.NOT_FOUND;
            }
            rest = 3;
        }
        String op = parts.length == rest ? "" : parts.length == rest + 1 ? parts[rest] : null;
        if (op == null) {
            return Route.NOT_FOUND;
        }
        String v = version;
        return switch (op) {
            case "" -> get(method, new Route.Guarded(Action.METADATA, name, v, (r, p) -> models.metadata(name, v)));
            case "ready" -> get(method, new Route.Guarded(Action.METADATA, name, v, (r, p) -> models.ready(name, v)));
            case "infer" -> {
                ModelHandler.Deferred infer = (r, p, deadline) -> models.infer(r, name, v, deadline);
                yield post(method, new Route.Guarded(Action.INFER, name, v, infer));
            }
            default -> Route.NOT_FOUND;
        };
    }

    /** index, models/{m}/load, models/{m}/unload. */
    private Route repository(String method, String[] parts) {
        if (parts.length == 1 && parts[0].equals("index")) {
            return post(method, new Route.Guarded(Action.ADMIN, "*", null, (r, p) -> admin.index(r)));
        }
        if (parts.length == 3 && parts[0].equals("models") && ModelsConfig.isValidName(parts[1])) {
            String name = parts[1];
            return switch (parts[2]) {
                case "load" -> post(method, new Route.Guarded(Action.ADMIN, name, null, (r, p) -> admin.load(name)));
                case "unload" -> post(method, new Route.Guarded(Action.ADMIN, name, null, (r, p) -> admin.unload(name)));
                default -> Route.NOT_FOUND;
            };
        }
        return Route.NOT_FOUND;
    }

    private static Route get(String method, Route route) {
        return method.equals("GET") || method.equals("HEAD") ? route : new Route.MethodNotAllowed("GET, HEAD");
    }

    private static Route post(String method, Route route) {
        return method.equals("POST") ? route : new Route.MethodNotAllowed("POST");
    }
}
