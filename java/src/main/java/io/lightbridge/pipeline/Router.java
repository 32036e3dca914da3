package io.lightbridge.pipeline;

/** Maps a request to a route from its method and path. Returns {@link Route#NOT_FOUND} for paths it does not own. */
@FunctionalInterface
public interface Router {
    Route route(Request request);

    /** Tries each router in order; the first that owns the path wins. */
    static Router firstOf(Router... routers) {
        var list = java.util.List.of(routers);
        return request -> {
            for (Router r : list) {
                Route route = r.route(request);
                if (!(route instanceof Route.NotFound)) {
                    return route;
                }
            }
            return Route.NOT_FOUND;
        };
    }
}
