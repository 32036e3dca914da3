package io.lightbridge.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The verifiers for a token header: the issuer's key source (nimbus' {@code JWKSourceBuilder} stack, which stays
 * the source of truth — refresh-ahead, rate-limited refresh on an unknown kid, outage tolerance) is asked on every
 * call with nimbus' {@link JWKMatcher#forJWSHeader} matcher, narrowed for public-key issuers to keys published with
 * {@code use: sig} (IdPs also publish encryption keys). Each matching JWK gets its verifier once: a memo on the JWK
 * instance, so a refreshed key set brings new instances and new verifiers, and keys that left the set are no
 * longer returned by the source (the memo holds them weakly; it is not a second key cache).
 */
final class SigningKeySelector {
    private static final int REMEMBERED_SELECTORS = 256;
    private static final int REMEMBERED_KID_LENGTH = 256;

    private final JWKSource<SecurityContext> source;
    private final boolean signingUseOnly;
    private final Cache<JWK, JWSVerifier> verifiers = Caffeine.newBuilder().weakKeys().maximumSize(1_000).build();
    /**
     * Selectors depend only on these header fields, and a handful of keys sign all tokens: built once per key.
     * Only short kids are kept, and the map is emptied when full, so made-up kids cannot grow it (a plain map:
     * a cache's bookkeeping cost more here).
     */
    private final Map<Lookup, JWKSelector> selectors = new ConcurrentHashMap<>();

    private record Lookup(JWSAlgorithm algorithm, String keyId, Base64URL thumbprint) {}

    /** @param signingUseOnly true for public keys from an IdP; false for a configured secret (which has no use) */
    SigningKeySelector(JWKSource<SecurityContext> source, boolean signingUseOnly) {
        this.source = source;
        this.signingUseOnly = signingUseOnly;
    }

    /** Verifiers for the keys that match the header's algorithm, kid and thumbprint; empty when none is known. */
    List<JWSVerifier> verifiers(JWSHeader header) throws KeySourceException {
        var lookup = new Lookup(header.getAlgorithm(), header.getKeyID(), header.getX509CertSHA256Thumbprint());
        JWKSelector selector = selectors.get(lookup);
        if (selector == null) {
            selector = selector(header);
            if (selector == null) {
                return List.of();
            }
            if (header.getKeyID() == null || header.getKeyID().length() <= REMEMBERED_KID_LENGTH) {
                if (selectors.size() >= REMEMBERED_SELECTORS) {
                    selectors.clear();
                }
                selectors.put(lookup, selector);
            }
        }
        List<JWK> candidates = source.get(selector, null);
        var found = new ArrayList<JWSVerifier>(candidates.size());
        for (JWK jwk : candidates) {
            JWSVerifier verifier = verifiers.get(jwk, VerifierFactory::forKey);
            if (verifier != null) {
                found.add(verifier);
            }
        }
        return found;
    }

    private JWKSelector selector(JWSHeader header) {
        JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
        if (matcher == null) {
            return null;
        }
        return new JWKSelector(signingUseOnly ? new JWKMatcher.Builder(matcher).keyUse(KeyUse.SIGNATURE).build() : matcher);
    }
}
