package io.lightbridge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.PublicKey;

/**
 * nimbus' verifier for a JWK (what its {@code DefaultJWSVerifierFactory} picks for that key type), plus EdDSA
 * through the JDK ({@link JdkEd25519}). A verifier depends only on its key — the algorithm is checked per token —
 * and nimbus' verifiers are thread-safe, so one per key is enough.
 */
final class VerifierFactory {
    private VerifierFactory() {}

    /** The verifier for {@code jwk}, or null for key types and curves no accepted algorithm can use. */
    static JWSVerifier forKey(JWK jwk) {
        try {
            return switch (jwk) {
                case RSAKey rsa -> new RSASSAVerifier(rsa.toRSAPublicKey());
                case ECKey ec -> new ECDSAVerifier(ec.toECPublicKey());
                case OctetKeyPair okp -> {
                    PublicKey key = JdkEd25519.publicKey(okp);
                    yield key == null ? null : new JdkEd25519.Verifier(key);
                }
                case OctetSequenceKey secret -> new MACVerifier(secret.toByteArray());
                default -> null;
            };
        } catch (JOSEException e) {
            return null;
        }
    }
}
