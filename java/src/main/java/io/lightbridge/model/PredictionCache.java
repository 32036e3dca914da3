package io.lightbridge.model;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * A model's bounded prediction cache. Entries are keyed by the identity of the loaded version (a number unique to
 * each load, so a version reloaded from changed files never sees the old entries) and a SHA-256 digest of the inputs
 * and requested outputs: an answer is never served across versions.
 */
final class PredictionCache {

    /** @param loadId the unique id of one loaded version */
    record Key(long loadId, byte[] digest) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.loadId == loadId && Arrays.equals(k.digest, digest);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(loadId) * 31 + Arrays.hashCode(digest);
        }
    }

    private final Cache<Key, List<Tensor>> cache;

    PredictionCache(ModelConfig.PredictionCacheConfig config) {
        var builder = Caffeine.newBuilder().maximumSize(config.maxEntries());
        if (config.expireAfterWrite() != null) {
            builder.expireAfterWrite(config.expireAfterWrite());
        }
        this.cache = builder.build();
    }

    List<Tensor> get(Key key) {
        return cache.getIfPresent(key);
    }

    void put(Key key, List<Tensor> outputs) {
        cache.put(key, outputs);
    }

    /** Drops a retired version's entries. */
    void evict(long loadId) {
        cache.asMap().keySet().removeIf(k -> k.loadId == loadId);
    }

    /** The key for inputs already in model order (validation put them there) and the requested outputs. */
    static Key key(long loadId, List<Tensor> inputs, List<String> outputs) {
        MessageDigest md = sha256();
        for (Tensor t : inputs) {
            update(md, t.name());
            md.update((byte) t.type().ordinal());
            ByteBuffer shape = ByteBuffer.allocate(8 * t.rank() + 4).putInt(t.rank());
            for (int i = 0; i < t.rank(); i++) {
                shape.putLong(t.dim(i));
            }
            md.update(shape.flip());
            if (t.type() == DType.BYTES) {
                for (int i = 0; i < t.elementCount(); i++) {
                    update(md, t.string(i));
                }
            } else {
                md.update(t.bytes());
            }
        }
        md.update((byte) 0xff);
        for (String o : outputs) {
            update(md, o);
        }
        return new Key(loadId, md.digest());
    }

    private static void update(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(b.length).flip());
        md.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
