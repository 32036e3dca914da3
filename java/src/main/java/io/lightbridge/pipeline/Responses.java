package io.lightbridge.pipeline;

import io.lightbridge.acl.Action;
import io.lightbridge.auth.AuthenticationException;

/** The error responses of identity and policy, shaped as RFC 6750 asks. */
final class Responses {
    private Responses() {}

    static Response unauthenticated(AuthenticationException e) {
        if (e.fault() == AuthenticationException.Fault.SERVER) {
            return Response.error(503, e.getMessage()).withHeader("Retry-After", "5");
        }
        String challenge = e.missingToken()
                ? "Bearer realm=\"lightbridge\""
                : "Bearer realm=\"lightbridge\", error=\"invalid_token\", error_description=" + Json.quote(e.getMessage());
        return Response.error(401, e.getMessage()).withHeader("WWW-Authenticate", challenge);
    }

    static Response forbidden(Action action, String resource) {
        return Response.error(403, "missing permission: " + action.wireName() + " on " + resource);
    }
}
