package io.lightbridge.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Principals of recently validated tokens, keyed by the token's SHA-256 (the token itself is never kept).
 * Bounded in size; an entry expires at its token's {@code exp} by the injected clock and is re-checked on
 * every hit, so it never outlives the token.
 */
final class ValidatedTokens {
    /** SHA-256 as four longs: equality and hashing without arrays. */
    record Digest(long a, long b, long c, long d) {}

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });

    private final Cache<Digest, Principal> cache;
    private final Clock clock;

    ValidatedTokens(int maximumSize, Clock clock) {
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfter(Expiry.<Digest, Principal>creating((digest, principal) ->
                        java.time.Duration.ofMillis(Math.max(0, principal.expiresAt().toEpochMilli() - clock.millis()))))
                .build();
    }

    static Digest digest(String token) {
        byte[] hash = SHA256.get().digest(token.getBytes(StandardCharsets.ISO_8859_1));
        var buffer = ByteBuffer.wrap(hash);
        return new Digest(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
    }

    /** The principal of a token validated before and not yet expired, or null. */
    Principal get(Digest digest) {
        Principal principal = cache.getIfPresent(digest);
        if (principal != null && principal.expiresAt().toEpochMilli() <= clock.millis()) {
            cache.invalidate(digest);
            return null;
        }
        return principal;
    }

    void put(Digest digest, Principal principal) {
        cache.put(digest, principal);
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
