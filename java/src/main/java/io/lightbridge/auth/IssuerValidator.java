package io.lightbridge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import io.lightbridge.auth.AuthenticationException.Fault;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Verifies tokens of one issuer and turns their claims into a {@link Principal}. Immutable, thread-safe.
 * The steps are those of nimbus' {@code DefaultJWTProcessor} (type, key selection, signature, claims), done here with
 * nimbus' parts so that each verifier is built once per key rather than once per token, and each refusal has its
 * reason label.
 */
final class IssuerValidator {
    private final IssuerConfig config;
    private final Set<JWSAlgorithm> algorithms;
    private final DefaultJOSEObjectTypeVerifier<SecurityContext> types = new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null);
    private final SigningKeySelector keys;
    private final ClaimsVerifier claimsVerifier;
    private final BooleanSupplier signingKeysKnown;

    IssuerValidator(IssuerConfig config, JWKSource<SecurityContext> keys, BooleanSupplier signingKeysKnown, Clock clock) {
        this.config = config;
        this.algorithms = Set.copyOf(config.jwsAlgorithms());
        this.signingKeysKnown = signingKeysKnown;
        this.keys = new SigningKeySelector(keys, !config.usesHmac());
        this.claimsVerifier = new ClaimsVerifier(config, clock);
    }

    String issuer() {
        return config.issuer();
    }

    Principal validate(CompactJws jws) throws AuthenticationException {
        JWSHeader header = jws.header();
        if (!algorithms.contains(header.getAlgorithm())) {
            throw caller("alg_not_allowed", "token algorithm not accepted");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw caller("unsupported_crit", "token has critical header parameters");
        }
        try {
            types.verify(header.getType(), null);
        } catch (BadJOSEException e) {
            throw caller("wrong_type", "token type not accepted");
        }
        if (!verified(jws, verifiers(header))) {
            throw caller("bad_signature", "token signature invalid");
        }
        try {
            claimsVerifier.verify(jws.claims(), null);
        } catch (ClaimRejection e) {
            throw caller(e.reason(), e.getMessage());
        }
        return principal(jws.claims());
    }

    private List<JWSVerifier> verifiers(JWSHeader header) throws AuthenticationException {
        List<JWSVerifier> found;
        try {
            found = keys.verifiers(header);
        } catch (KeySourceException e) {
            if (signingKeysKnown.getAsBoolean()) {
                throw caller("unknown_key", "token signing key not known");
            }
            throw new AuthenticationException(Fault.SERVER, "keys_unavailable",
                    "identity: signing keys of the token issuer are unavailable", e);
        }
        if (found.isEmpty()) {
            throw caller("unknown_key", "token signing key not known");
        }
        return found;
    }

    /** True when one of the candidate keys verifies the signature (several keys may share a kid, or have none). */
    private static boolean verified(CompactJws jws, List<JWSVerifier> verifiers) throws AuthenticationException {
        try {
            for (JWSVerifier verifier : verifiers) {
                if (verifier.verify(jws.header(), jws.signingInput(), jws.signature())) {
                    return true;
                }
            }
            return false;
        } catch (JOSEException | RuntimeException e) { // as nimbus' JWSObject.verify treats a verifier's failure
            throw caller("bad_signature", "token signature could not be verified");
        }
    }

    private Principal principal(JWTClaimsSet claims) throws AuthenticationException {
        Map<String, Object> raw = claims.getClaims();
        if (!(ClaimPaths.find(raw, config.subjectClaim()) instanceof String subject) || subject.isEmpty()) {
            throw caller("missing_claim", "token subject claim " + config.subjectClaim() + " is not a string");
        }
        return new Principal(
                subject,
                config.issuer(),
                ClaimPaths.firstString(raw, config.clientIdClaims()),
                collect(raw, config.groupsClaims(), false),
                collect(raw, config.rolesClaims(), false),
                collect(raw, config.scopesClaims(), true),
                claims.getJWTID(),
                claims.getExpirationTime().toInstant(),
                new FlattenedClaims(raw));
    }

    private static Set<String> collect(Map<String, Object> raw, List<String> paths, boolean spaceSeparated) {
        var values = new ArrayList<String>();
        for (String path : paths) {
            values.addAll(ClaimPaths.strings(raw, path, spaceSeparated));
        }
        return distinct(values);
    }

    /** As {@link Set#copyOf}, without its intermediate hash set for the few values a claim usually holds. */
    private static Set<String> distinct(List<String> values) {
        if (values.size() > 16) {
            return Set.copyOf(values);
        }
        var unique = new String[values.size()];
        int count = 0;
        next:
        for (String value : values) {
            for (int i = 0; i < count; i++) {
                if (unique[i].equals(value)) {
                    continue next;
                }
            }
            unique[count++] = value;
        }
        return Set.of(count == unique.length ? unique : Arrays.copyOf(unique, count));
    }

    static AuthenticationException caller(String reason, String message) {
        return new AuthenticationException(Fault.CALLER, reason, message);
    }
}
