package io.lightbridge.auth;

import com.nimbusds.jose.JWSAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One trusted token issuer. Keys come from exactly one source: {@code jwks-file}, {@code jwks-uri}, the issuer's
 * OIDC discovery document (the default), or, for HS* algorithms only, {@code hmac-secret-file}.
 *
 * @param issuer            the exact {@code iss} value; https, or http on a loopback host
 * @param audiences         accepted audiences (a token needs at least one of them)
 * @param audienceClaim     where the audience is (default {@code aud}; {@code client_id} for Cognito access tokens)
 * @param algorithms        accepted {@code alg} values; default RS256, PS256, ES256, EdDSA; never {@code none}
 * @param clockSkew         tolerance on exp, nbf and iat (default 60s, at most 5m)
 * @param maxTokenLifetime  longest accepted {@code exp − iat} (default 1h)
 * @param requiredClaims    claims that must be present besides iss, aud, exp, iat and the subject claim
 * @param subjectClaim      the claim that names the caller (default {@code sub})
 * @param clientIdClaims    claims naming the OAuth client, first present wins (default client_id, azp, appid)
 * @param groupsClaims      dotted paths to group names (default {@code groups})
 * @param rolesClaims       dotted paths to role names (default {@code roles}, {@code realm_access.roles})
 * @param scopesClaims      dotted paths to scopes, space-separated strings or arrays (default scope, scp)
 * @param jwksUri           the JWK set URL, instead of discovery
 * @param jwksFile          a local JWK set file, instead of discovery (re-read when a kid is unknown)
 * @param hmacSecretFile    a file with the shared secret; required for, and only allowed with, HS* algorithms
 * @param jwksRefresh       how long a fetched JWK set is used before it is refreshed (default 5m)
 */
public record IssuerConfig(
        String issuer,
        List<String> audiences,
        String audienceClaim,
        List<String> algorithms,
        Duration clockSkew,
        Duration maxTokenLifetime,
        List<String> requiredClaims,
        String subjectClaim,
        List<String> clientIdClaims,
        List<String> groupsClaims,
        List<String> rolesClaims,
        List<String> scopesClaims,
        String jwksUri,
        Path jwksFile,
        Path hmacSecretFile,
        Duration jwksRefresh) {

    static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "PS256", "ES256", "EdDSA");
    private static final List<String> KNOWN_ALGORITHMS = List.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
            "HS256", "HS384", "HS512");

    public IssuerConfig {
        SecureUrls.require("issuer", issuer);
        audiences = nonBlank("audiences", audiences, List.of());
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("audiences: at least one accepted audience is required");
        }
        audienceClaim = audienceClaim == null ? "aud" : audienceClaim;
        if (audienceClaim.isBlank()) {
            throw new IllegalArgumentException("audience-claim: must not be blank");
        }
        algorithms = nonBlank("algorithms", algorithms, DEFAULT_ALGORITHMS);
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("algorithms: at least one algorithm is required");
        }
        for (String alg : algorithms) {
            if (!KNOWN_ALGORITHMS.contains(alg)) {
                throw new IllegalArgumentException("algorithms: '" + alg + "' is not accepted (use one of "
                        + String.join(", ", KNOWN_ALGORITHMS) + ")");
            }
        }
        clockSkew = clockSkew == null ? Duration.ofSeconds(60) : clockSkew;
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("clock-skew: must be between 0s and 5m");
        }
        maxTokenLifetime = maxTokenLifetime == null ? Duration.ofHours(1) : maxTokenLifetime;
        if (maxTokenLifetime.compareTo(Duration.ofSeconds(1)) < 0 || maxTokenLifetime.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("max-token-lifetime: must be between 1s and 1d");
        }
        requiredClaims = nonBlank("required-claims", requiredClaims, List.of());
        subjectClaim = subjectClaim == null ? "sub" : subjectClaim;
        if (subjectClaim.isBlank()) {
            throw new IllegalArgumentException("subject-claim: must not be blank");
        }
        clientIdClaims = nonBlank("client-id-claims", clientIdClaims, List.of("client_id", "azp", "appid"));
        groupsClaims = nonBlank("groups-claims", groupsClaims, List.of("groups"));
        rolesClaims = nonBlank("roles-claims", rolesClaims, List.of("roles", "realm_access.roles"));
        scopesClaims = nonBlank("scopes-claims", scopesClaims, List.of("scope", "scp"));
        jwksRefresh = jwksRefresh == null ? Duration.ofMinutes(5) : jwksRefresh;
        if (jwksRefresh.compareTo(Duration.ofMinutes(1)) < 0 || jwksRefresh.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("jwks-refresh: must be between 1m and 1d");
        }
        boolean hmac = algorithms.stream().anyMatch(a -> a.startsWith("HS"));
        boolean publicKeys = algorithms.stream().anyMatch(a -> !a.startsWith("HS"));
        if (hmac && publicKeys) {
            throw new IllegalArgumentException("algorithms: HS* and public-key algorithms cannot be mixed for one issuer"
                    + " (the classic key-confusion set-up)");
        }
        if (hmac && hmacSecretFile == null) {
            throw new IllegalArgumentException("algorithms: HS* algorithms need hmac-secret-file");
        }
        if (!hmac && hmacSecretFile != null) {
            throw new IllegalArgumentException("hmac-secret-file: only allowed when algorithms are HS*");
        }
        if (hmac && (jwksUri != null || jwksFile != null)) {
            throw new IllegalArgumentException("hmac-secret-file: cannot be combined with jwks-uri or jwks-file");
        }
        if (hmac) {
            requireSecret(hmacSecretFile);
        }
        if (jwksUri != null && jwksFile != null) {
            throw new IllegalArgumentException("jwks-uri: give jwks-uri or jwks-file, not both");
        }
        if (jwksUri != null) {
            SecureUrls.require("jwks-uri", jwksUri);
        }
    }

    /** Algorithm objects in configured order. */
    List<JWSAlgorithm> jwsAlgorithms() {
        return algorithms.stream().map(JWSAlgorithm::parse).toList();
    }

    boolean usesHmac() {
        return hmacSecretFile != null;
    }

    /** A shared secret must be readable and at least 256 bits (RFC 7518 §3.2). */
    private static void requireSecret(Path file) {
        try {
            if (java.nio.file.Files.size(file) < 32) {
                throw new IllegalArgumentException("hmac-secret-file: " + file + " holds fewer than 32 bytes");
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("hmac-secret-file: cannot read " + file + ": " + e.getMessage());
        }
        if (!java.nio.file.Files.isReadable(file)) {
            throw new IllegalArgumentException("hmac-secret-file: cannot read " + file);
        }
    }

    private static List<String> nonBlank(String key, List<String> values, List<String> absent) {
        if (values == null) {
            return absent;
        }
        for (String v : values) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(key + ": entries must not be blank");
            }
        }
        return List.copyOf(values);
    }
}
