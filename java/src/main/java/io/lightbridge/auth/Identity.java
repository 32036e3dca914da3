package io.lightbridge.auth;

import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import io.lightbridge.auth.AuthenticationException.Fault;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Request;
import java.io.Closeable;
import java.io.IOException;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bearer-token {@link Authenticator}: the token's (unverified) {@code iss} only selects an issuer
 * configuration; everything else is trusted after that issuer's checks pass. Validated tokens are remembered
 * by hash until they expire. Thread-safe; {@link #close()} stops background key refreshes and is idempotent.
 */
public final class Identity implements Authenticator, AutoCloseable {
    private final Map<String, IssuerValidator> issuers;
    private final List<Closeable> keySources;
    private final ValidatedTokens validated;
    private final IdentityStats stats;
    private final ServerLog log;
    private volatile boolean closed;

    private Identity(Map<String, IssuerValidator> issuers, List<Closeable> keySources, ValidatedTokens validated,
                     IdentityStats stats, ServerLog log) {
        this.issuers = Map.copyOf(issuers);
        this.keySources = List.copyOf(keySources);
        this.validated = validated;
        this.stats = stats;
        this.log = log;
    }

    /**
     * Builds the authenticator without contacting any IdP on this thread: key sets (and discovery documents)
     * are fetched in the background now and on demand later, so start-up never waits for an IdP.
     */
    public static Identity create(IdentityConfig config, Clock clock, ServerLog log) {
        var stats = new IdentityStats();
        var validators = new HashMap<String, IssuerValidator>();
        var closeables = new ArrayList<Closeable>();
        var prefetch = new ArrayList<Runnable>();
        for (IssuerConfig issuer : config.issuers()) {
            if (issuer.usesHmac()) {
                validators.put(issuer.issuer(), new IssuerValidator(issuer, KeySources.secret(issuer), () -> true, clock));
                continue;
            }
            KeySources.Built keys = KeySources.publicKeys(issuer, stats, log);
            validators.put(issuer.issuer(), new IssuerValidator(issuer, keys.source(), keys.fetcher()::signingKeysLoaded, clock));
            if (keys.source() instanceof Closeable c) {
                closeables.add(c);
            }
            prefetch.add(() -> prefetch(keys.source()));
        }
        var identity = new Identity(validators, closeables,
                config.tokenCacheSize() == 0 ? null : new ValidatedTokens(config.tokenCacheSize(), clock), stats, log);
        prefetch.forEach(task -> Thread.ofVirtual().name("lightbridge-jwks-prefetch").start(task));
        return identity;
    }

    /** Loads the key set once so the first request does not wait; failures are logged by the fetcher. */
    private static void prefetch(JWKSource<SecurityContext> source) {
        try {
            source.get(new JWKSelector(new JWKMatcher.Builder().keyUse(KeyUse.SIGNATURE).build()), null);
        } catch (Exception e) {
            // already counted and logged; requests will retry through the rate-limited stack
        }
    }

    @Override
    public Principal authenticate(Request request) throws AuthenticationException {
        String token = BearerTokens.of(request);
        if (token == null) {
            stats.refused("missing_token");
            throw new AuthenticationException(Fault.CALLER, "missing_token", "bearer token required");
        }
        return validate(token);
    }

    /** Validates a bare token (the value after "Bearer "). */
    public Principal validate(String token) throws AuthenticationException {
        try {
            if (closed) {
                throw new AuthenticationException(Fault.SERVER, "closed", "identity: shutting down");
            }
            if (token.length() > BearerTokens.MAX_LENGTH) {
                throw IssuerValidator.caller("token_too_large", "token too large");
            }
            if (validated == null) {
                return verify(token);
            }
            ValidatedTokens.Digest digest = ValidatedTokens.digest(token);
            Principal known = validated.get(digest);
            if (known != null) {
                stats.cacheHit();
                return known;
            }
            Principal principal = verify(token);
            validated.put(digest, principal);
            return principal;
        } catch (AuthenticationException e) {
            stats.refused(e.reason());
            throw e;
        }
    }

    private Principal verify(String token) throws AuthenticationException {
        CompactJws jws;
        try {
            jws = CompactJws.parse(token);
        } catch (ParseException e) {
            throw notSigned(token);
        }
        String issuer = jws.claims().getIssuer();
        IssuerValidator validator = issuer == null ? null : issuers.get(issuer);
        if (validator == null) {
            throw IssuerValidator.caller("unknown_issuer", "token issuer not trusted");
        }
        return validator.validate(jws);
    }

    /** Why a token that is not a parsable JWS was refused (the cold path parses it again to tell). */
    private static AuthenticationException notSigned(String token) {
        try {
            return switch (JWTParser.parse(token)) {
                case PlainJWT _ -> IssuerValidator.caller("unsigned", "unsigned tokens (alg none) are not accepted");
                case EncryptedJWT _ -> IssuerValidator.caller("encrypted", "encrypted tokens are not accepted");
                default -> IssuerValidator.caller("malformed", "token malformed");
            };
        } catch (ParseException | IllegalArgumentException e) {
            return IssuerValidator.caller("malformed", "token malformed");
        }
    }

    public IdentityStats stats() {
        return stats;
    }

    /** Validated tokens currently remembered (for tests and diagnostics). */
    long cachedTokens() {
        return validated == null ? 0 : validated.size();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Closeable source : keySources) {
            try {
                source.close();
            } catch (IOException e) {
                log.warn("identity: closing a key source failed: " + e.getMessage());
            }
        }
    }
}
