package io.lightbridge.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * nimbus' algorithm-allowlist key selector, narrowed to keys published with {@code use: sig} (IdPs also publish
 * encryption keys), with Ed25519 keys converted by the JDK, and each JWK converted to a Java key once per
 * fetched key object rather than once per request (a memo on the JWK instance, not a second key cache).
 */
final class SigningKeySelector extends JWSVerificationKeySelector<SecurityContext> {
    private final Cache<JWK, Key> converted = Caffeine.newBuilder().weakKeys().maximumSize(1_000).build();

    SigningKeySelector(Set<JWSAlgorithm> algorithms, JWKSource<SecurityContext> source) {
        super(algorithms, source);
    }

    @Override
    protected JWKMatcher createJWKMatcher(JWSHeader header) {
        JWKMatcher matcher = super.createJWKMatcher(header);
        return matcher == null ? null : new JWKMatcher.Builder(matcher).keyUse(KeyUse.SIGNATURE).build();
    }

    @Override
    public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        if (!isAllowed(header.getAlgorithm())) {
            return List.of();
        }
        JWKMatcher matcher = createJWKMatcher(header);
        if (matcher == null) {
            return List.of();
        }
        @SuppressWarnings("unchecked")
        List<JWK> candidates = getJWKSource().get(new JWKSelector(matcher), context);
        var keys = new ArrayList<Key>(candidates.size());
        for (JWK jwk : candidates) {
            Key key = converted.get(jwk, SigningKeySelector::publicKey);
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static Key publicKey(JWK jwk) {
        try {
            return switch (jwk) {
                case RSAKey rsa -> rsa.toRSAPublicKey();
                case ECKey ec -> ec.toECPublicKey();
                case OctetKeyPair okp -> JdkEd25519.publicKey(okp);
                default -> null;
            };
        } catch (JOSEException e) {
            return null;
        }
    }
}
