package io.lightbridge.auth;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters for the metrics exporter: JWK set fetches, their failures, and refused tokens by reason. */
public final class IdentityStats {
    private final LongAdder jwksFetches = new LongAdder();
    private final LongAdder jwksFailures = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();

    /** JWK set (and discovery) fetches attempted, from any issuer. */
    public long jwksFetches() {
        return jwksFetches.sum();
    }

    /** Fetches that failed (network, HTTP status, unparsable set, missing file). */
    public long jwksFailures() {
        return jwksFailures.sum();
    }

    /** Requests answered from the validated-token cache. */
    public long cacheHits() {
        return cacheHits.sum();
    }

    /** Refused requests by reason label ("expired", "bad_signature", "keys_unavailable", ...), sorted by label. */
    public Map<String, Long> failuresByReason() {
        var copy = new TreeMap<String, Long>();
        failures.forEach((reason, count) -> copy.put(reason, count.sum()));
        return copy;
    }

    void jwksFetched() {
        jwksFetches.increment();
    }

    void jwksFailed() {
        jwksFailures.increment();
    }

    void cacheHit() {
        cacheHits.increment();
    }

    void refused(String reason) {
        failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }
}
