package io.lightbridge.protocol.v2;

import io.lightbridge.pipeline.Handler;
import io.lightbridge.pipeline.Json;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import io.lightbridge.pipeline.Router;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The server-wide routes of the Open Inference Protocol v2 (KServe/Triton REST): liveness, readiness and server
 * metadata. All open (no identity) and answered on the server's own thread: each is a constant or one flag read.
 */
public final class ServerRoutes implements Router {

    public static final String LIVE_PATH = "/v2/health/live";
    public static final String READY_PATH = "/v2/health/ready";
    public static final String METADATA_PATH = "/v2";

    public static final Response LIVE = Response.json(200, "{\"live\":true}");
    static final Response READY = Response.json(200, "{\"ready\":true}");
    static final Response NOT_READY = Response.json(503, "{\"ready\":false}");

    private static final Route GET_ONLY = new Route.MethodNotAllowed("GET");

    private final Route live;
    private final Route ready;
    private final Route metadata;

    /**
     * @param extensions the protocol extensions this server supports, as listed in the metadata response
     * @param isReady    whether the runtime has started and can take inference requests
     */
    public ServerRoutes(String name, String version, List<String> extensions, BooleanSupplier isReady) {
        Response metadataResponse = Response.json(200, "{\"name\":" + Json.quote(name)
                + ",\"version\":" + Json.quote(version)
                + ",\"extensions\":[" + extensions.stream().map(Json::quote).collect(Collectors.joining(",")) + "]}");
        this.live = open(request -> LIVE);
        this.ready = open(request -> isReady.getAsBoolean() ? READY : NOT_READY);
        this.metadata = open(request -> metadataResponse);
    }

    private static Route open(Handler handler) {
        return new Route.Open(handler, true);
    }

    @Override
    public Route route(Request request) {
        Route route = switch (request.path()) {
            case LIVE_PATH -> live;
            case READY_PATH -> ready;
            case METADATA_PATH, METADATA_PATH + "/" -> metadata;
            default -> Route.NOT_FOUND;
        };
        return route == Route.NOT_FOUND || request.method().equals("GET") ? route : GET_ONLY;
    }
}
