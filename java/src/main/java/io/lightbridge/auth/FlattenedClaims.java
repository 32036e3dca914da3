package io.lightbridge.auth;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * A principal's claims as the ACL sees them ({@link ClaimPaths#flatten}), flattened on first use: only rules that
 * match on claim values read them, so most calls never pay for it. Unmodifiable; safe to share between threads
 * (two threads may both flatten once, to equal immutable maps).
 */
final class FlattenedClaims extends AbstractMap<String, Object> {
    private final Map<String, Object> verified;
    private volatile Map<String, Object> flat;

    /** @param verified the verified claims; never modified afterwards */
    FlattenedClaims(Map<String, Object> verified) {
        this.verified = verified;
    }

    private Map<String, Object> flat() {
        Map<String, Object> f = flat;
        if (f == null) {
            f = Map.copyOf(ClaimPaths.flatten(verified));
            flat = f;
        }
        return f;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return flat().entrySet();
    }

    @Override
    public Object get(Object key) {
        return flat().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return flat().containsKey(key);
    }

    @Override
    public int size() {
        return flat().size();
    }
}
