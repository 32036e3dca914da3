package io.lightbridge.auth;

import io.lightbridge.pipeline.Request;

/** The bearer token of a request's Authorization header (RFC 6750 §2.1); other places are not read. */
final class BearerTokens {
    /** Longer tokens are refused before any parsing. Real access tokens stay under 8 KiB. */
    static final int MAX_LENGTH = 16 * 1024;

    private BearerTokens() {}

    /** The token, or null when the request carries no bearer credentials. */
    static String of(Request request) {
        String header = request.header("Authorization");
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).strip();
        return token.isEmpty() ? null : token;
    }
}
