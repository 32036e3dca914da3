package io.lightbridge.pipeline;

import io.lightbridge.acl.Action;

/** Where a request goes: decided from method and path alone, before anything is trusted. */
public sealed interface Route {

    /** Answered without identity (health, server metadata). {@code inline} routes are cheap enough for the server's own thread. */
    record Open(Handler handler, boolean inline) implements Route {}

    /**
     * Needs a principal allowed {@code action} on {@code resource} (a model name, or "*" for server-wide actions).
     * The call is audited whatever the outcome.
     */
    record Guarded(Action action, String resource, String requestedVersion, ModelHandler handler) implements Route {}

    record NotFound() implements Route {}

    record MethodNotAllowed(String allowed) implements Route {}

    Route NOT_FOUND = new NotFound();
}
