package io.lightbridge.auth;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import io.lightbridge.log.ServerLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;

/**
 * Builds an issuer's key source: the configured fetcher under nimbus' {@link JWKSourceBuilder} stack —
 * cache with scheduled refresh-ahead, retry once, rate-limited refresh (a token with an unknown kid
 * triggers at most one), and outage tolerance (keys known once stay usable while the IdP is down).
 */
final class KeySources {
    /** A refresh because of an unknown kid is allowed at most this often (nimbus allows 2 per interval). */
    static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
    /** How long keys fetched once stay usable while the IdP cannot be reached. */
    static final Duration OUTAGE_TOLERANCE = Duration.ofHours(12);
    private static final Duration REFRESH_AHEAD = Duration.ofSeconds(30);
    /**
     * Bounds how long a request that needs a key fetch (first use, unknown kid) waits, on its worker thread, for a
     * fetch in progress; keeps worker threads from piling up behind an IdP that does not answer.
     */
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(3);
    private static final int HTTP_CONNECT_TIMEOUT_MILLIS = 1_000;
    private static final int HTTP_READ_TIMEOUT_MILLIS = 2_000;
    private static final int HTTP_SIZE_LIMIT = 256 * 1024;

    /** The key source and the handle that tells whether signing keys were ever loaded. */
    record Built(JWKSource<SecurityContext> source, CountingJwkSetSource fetcher) {}

    private KeySources() {}

    /** Keys for HS* issuers: the secret from the configured file. */
    static JWKSource<SecurityContext> secret(IssuerConfig config) {
        try {
            return new ImmutableSecret<>(Files.readAllBytes(config.hmacSecretFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("identity: cannot read hmac-secret-file " + config.hmacSecretFile(), e);
        }
    }

    static Built publicKeys(IssuerConfig config, IdentityStats stats, ServerLog log) {
        ResourceRetriever http = new DefaultResourceRetriever(
                HTTP_CONNECT_TIMEOUT_MILLIS, HTTP_READ_TIMEOUT_MILLIS, HTTP_SIZE_LIMIT);
        JWKSetSource<SecurityContext> fetcher;
        if (config.jwksFile() != null) {
            fetcher = new FileJwkSetSource(config.jwksFile());
        } else if (config.jwksUri() != null) {
            try {
                fetcher = new URLBasedJWKSetSource<>(URI.create(config.jwksUri()).toURL(), http);
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("jwks-uri: " + e.getMessage(), e);
            }
        } else {
            fetcher = new DiscoveredJwkSetSource(config.issuer(), http);
        }
        var counting = new CountingJwkSetSource(config.issuer(), fetcher, stats, log);
        JWKSource<SecurityContext> source = JWKSourceBuilder.create(counting)
                .cache(config.jwksRefresh().toMillis(), REFRESH_TIMEOUT.toMillis())
                .refreshAheadCache(REFRESH_AHEAD.toMillis(), true)
                .rateLimited(MIN_REFRESH_INTERVAL.toMillis())
                .retrying(true)
                .outageTolerant(OUTAGE_TOLERANCE.toMillis())
                .build();
        return new Built(source, counting);
    }
}
