package io.lightbridge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.lightbridge.auth.AuthenticationException.Fault;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** Verifies tokens of one issuer and turns their claims into a {@link Principal}. Immutable, thread-safe. */
final class IssuerValidator {
    private final IssuerConfig config;
    private final Set<JWSAlgorithm> algorithms;
    /** Configured once here; never handed out, so its setters cannot be reached. */
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final BooleanSupplier signingKeysKnown;

    IssuerValidator(IssuerConfig config, JWKSource<SecurityContext> keys, BooleanSupplier signingKeysKnown, Clock clock) {
        this.config = config;
        this.algorithms = Set.copyOf(config.jwsAlgorithms());
        this.signingKeysKnown = signingKeysKnown;
        JWSKeySelector<SecurityContext> selector = config.usesHmac()
                ? new JWSVerificationKeySelector<>(algorithms, keys)
                : new SigningKeySelector(algorithms, keys);
        processor.setJWSKeySelector(selector);
        processor.setJWSVerifierFactory(new VerifierFactory());
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        processor.setJWTClaimsSetVerifier(new ClaimsVerifier(config, clock));
    }

    String issuer() {
        return config.issuer();
    }

    Principal validate(SignedJWT jwt) throws AuthenticationException {
        var header = jwt.getHeader();
        if (!algorithms.contains(header.getAlgorithm())) {
            throw caller("alg_not_allowed", "token algorithm not accepted");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw caller("unsupported_crit", "token has critical header parameters");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (ClaimRejection e) {
            throw caller(e.reason(), e.getMessage());
        } catch (BadJWSException e) {
            throw caller("bad_signature", "token signature invalid");
        } catch (BadJOSEException e) {
            if (e.getMessage() != null && e.getMessage().contains("JOSE header typ")) {
                throw caller("wrong_type", "token type not accepted");
            }
            throw caller("unknown_key", "token signing key not known");
        } catch (KeySourceException e) {
            if (signingKeysKnown.getAsBoolean()) {
                throw caller("unknown_key", "token signing key not known");
            }
            throw new AuthenticationException(Fault.SERVER, "keys_unavailable",
                    "identity: signing keys of the token issuer are unavailable", e);
        } catch (JOSEException e) {
            throw caller("bad_signature", "token signature could not be verified");
        }
        return principal(claims);
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
                ClaimPaths.flatten(raw));
    }

    private static Set<String> collect(Map<String, Object> raw, List<String> paths, boolean spaceSeparated) {
        var values = new LinkedHashSet<String>();
        for (String path : paths) {
            values.addAll(ClaimPaths.strings(raw, path, spaceSeparated));
        }
        return values;
    }

    static AuthenticationException caller(String reason, String message) {
        return new AuthenticationException(Fault.CALLER, reason, message);
    }
}
