package io.lightbridge.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The claims checks for one issuer, in place of nimbus' default claims verifier (same interface) so that time comes
 * from our {@link Clock}, the maximum lifetime is enforced, and each failure has a reason label.
 */
final class ClaimsVerifier implements JWTClaimsSetVerifier<SecurityContext> {
    private final String issuer;
    private final Set<String> audiences;
    private final String audienceClaim;
    private final Set<String> requiredClaims;
    private final long skewMillis;
    private final long maxLifetimeMillis;
    private final Clock clock;

    ClaimsVerifier(IssuerConfig config, Clock clock) {
        this.issuer = config.issuer();
        this.audiences = Set.copyOf(config.audiences());
        this.audienceClaim = config.audienceClaim();
        var required = new LinkedHashSet<String>(List.of("iss", "exp", "iat", config.subjectClaim()));
        required.addAll(config.requiredClaims());
        this.requiredClaims = required;
        this.skewMillis = config.clockSkew().toMillis();
        this.maxLifetimeMillis = config.maxTokenLifetime().toMillis();
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws ClaimRejection {
        Map<String, Object> all = claims.getClaims();
        for (String name : requiredClaims) {
            if (ClaimPaths.find(all, name) == null) {
                throw new ClaimRejection("missing_claim", "token lacks required claim " + name);
            }
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw new ClaimRejection("wrong_issuer", "token issuer not accepted");
        }
        if (!acceptedAudience(claims)) {
            throw new ClaimRejection("wrong_audience", "token audience not accepted");
        }
        long now = clock.millis();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        Date nbf = claims.getNotBeforeTime();
        if (exp == null || iat == null) {
            throw new ClaimRejection("missing_claim", "token lacks exp or iat as a time");
        }
        if (now - skewMillis >= exp.getTime()) {
            throw new ClaimRejection("expired", "token expired");
        }
        if (nbf != null && nbf.getTime() > now + skewMillis) {
            throw new ClaimRejection("not_yet_valid", "token not valid yet (nbf)");
        }
        if (iat.getTime() > now + skewMillis) {
            throw new ClaimRejection("issued_in_future", "token issued in the future (iat)");
        }
        if (exp.getTime() - iat.getTime() > maxLifetimeMillis) {
            throw new ClaimRejection("lifetime_too_long", "token lifetime exceeds "
                    + Duration.ofMillis(maxLifetimeMillis).toString().substring(2).toLowerCase(java.util.Locale.ROOT));
        }
    }

    private boolean acceptedAudience(JWTClaimsSet claims) {
        for (String audience : tokenAudiences(claims)) {
            if (audiences.contains(audience)) {
                return true;
            }
        }
        return false;
    }

    private List<String> tokenAudiences(JWTClaimsSet claims) {
        if (audienceClaim.equals("aud")) {
            return claims.getAudience(); // nimbus reads both the string and the array form
        }
        return ClaimPaths.strings(claims.getClaims(), audienceClaim, false);
    }
}
