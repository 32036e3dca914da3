package io.lightbridge.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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

    /** Per-thread digest and buffers: a cache hit must cost well under a microsecond and allocate little. */
    private static final class Hasher {
        final MessageDigest sha256;
        final byte[] hash = new byte[32];

        Hasher() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    }

    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

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

    /**
     * SHA-256 of the token's ISO-8859-1 bytes (a plain copy for base64url text). A character outside that set
     * becomes '?', which no valid token contains, so no such string can share a digest with a validated token.
     */
    static Digest digest(String token) {
        Hasher h = HASHER.get();
        h.sha256.update(token.getBytes(StandardCharsets.ISO_8859_1));
        try {
            h.sha256.digest(h.hash, 0, 32);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("a 32-byte buffer holds SHA-256", e);
        }
        return new Digest((long) LONGS.get(h.hash, 0), (long) LONGS.get(h.hash, 8),
                (long) LONGS.get(h.hash, 16), (long) LONGS.get(h.hash, 24));
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
