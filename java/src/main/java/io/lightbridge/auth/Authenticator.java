package io.lightbridge.auth;

import io.lightbridge.pipeline.Request;

/** Establishes who is calling from the request's bearer token. Thread-safe. */
@FunctionalInterface
public interface Authenticator {
    Principal authenticate(Request request) throws AuthenticationException;
}
