package io.lightbridge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import java.security.Key;
import java.security.interfaces.EdECPublicKey;
import java.util.HashSet;
import java.util.Set;

/** nimbus' verifiers, plus EdDSA through the JDK ({@link JdkEd25519}). */
final class VerifierFactory implements JWSVerifierFactory {
    private final DefaultJWSVerifierFactory standard = new DefaultJWSVerifierFactory();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
        if (JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) && key instanceof EdECPublicKey edKey) {
            return new JdkEd25519.Verifier(edKey);
        }
        return standard.createJWSVerifier(header, key);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        var all = new HashSet<>(standard.supportedJWSAlgorithms());
        all.add(JWSAlgorithm.EdDSA);
        return all;
    }

    @Override
    public JCAContext getJCAContext() {
        return standard.getJCAContext();
    }
}
