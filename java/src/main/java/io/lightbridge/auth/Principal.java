package io.lightbridge.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Who called, as established from a verified token.
 *
 * @param subject  the caller's name from the configured subject claim
 * @param clientId the OAuth client (service principal) that obtained the token, or null
 * @param tokenId  the token's {@code jti}, or null
 * @param claims   the verified claims, for ACL rules that match on any claim value (values are strings or lists of strings)
 */
public record Principal(
        String subject,
        String issuer,
        String clientId,
        Set<String> groups,
        Set<String> roles,
        Set<String> scopes,
        String tokenId,
        Instant expiresAt,
        Map<String, Object> claims) {

    public Principal {
        groups = Set.copyOf(groups);
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
        // FlattenedClaims is already unmodifiable, and flattens only when an ACL rule first reads it
        claims = claims == null ? Map.of() : claims instanceof FlattenedClaims ? claims : Map.copyOf(claims);
    }
}
