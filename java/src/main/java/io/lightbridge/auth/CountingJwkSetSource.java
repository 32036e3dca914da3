package io.lightbridge.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.lightbridge.log.ServerLog;
import java.io.IOException;

/**
 * The bottom of an issuer's key stack, under nimbus' cache, rate limiter, retry and outage tolerance: counts
 * every real fetch, logs failures, and remembers whether signing keys were ever loaded (503 only when never).
 */
final class CountingJwkSetSource implements JWKSetSource<SecurityContext> {
    private final String issuer;
    private final JWKSetSource<SecurityContext> fetcher;
    private final IdentityStats stats;
    private final ServerLog log;
    private volatile boolean signingKeysLoaded;

    CountingJwkSetSource(String issuer, JWKSetSource<SecurityContext> fetcher, IdentityStats stats,
                         ServerLog log) {
        this.issuer = issuer;
        this.fetcher = fetcher;
        this.stats = stats;
        this.log = log;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        stats.jwksFetched();
        try {
            JWKSet set = fetcher.getJWKSet(refreshEvaluator, currentTime, context);
            if (set.getKeys().stream().anyMatch(k -> KeyUse.SIGNATURE.equals(k.getKeyUse()))) {
                signingKeysLoaded = true;
            } else {
                log.warn("identity: the JWK set of " + issuer + " has no key with use=sig");
            }
            return set;
        } catch (KeySourceException | RuntimeException e) {
            stats.jwksFailed();
            log.warn("identity: fetching signing keys of " + issuer + " failed: " + e.getMessage());
            throw e;
        }
    }

    /** True once a fetch returned at least one signing key; cached keys then outlive IdP outages. */
    boolean signingKeysLoaded() {
        return signingKeysLoaded;
    }

    @Override
    public void close() throws IOException {
        fetcher.close();
    }
}
