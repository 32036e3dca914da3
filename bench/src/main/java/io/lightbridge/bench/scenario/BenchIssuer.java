package io.lightbridge.bench.scenario;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The token issuer every peer trusts in one run: an RS256 key (Keycloak's default) whose public JWK set is written
 * to a file that Lightbridge ({@code identity.issuers[].jwks-file}) and the Node.js peer both read. Tokens look
 * like Keycloak client-credentials tokens: roles under {@code realm_access.roles}, {@code azp} naming the client.
 */
public final class BenchIssuer {

    public static final String ISSUER = "http://127.0.0.1/realms/bench";
    public static final String AUDIENCE = "lightbridge";
    public static final String ROLE = "model-user";
    public static final String CLIENT = "bench-client";

    private final RSAKey key;
    private final Path jwksFile;

    private BenchIssuer(RSAKey key, Path jwksFile) {
        this.key = key;
        this.jwksFile = jwksFile;
    }

    public static BenchIssuer create(Path dir) throws IOException {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                    .keyID("bench-" + UUID.randomUUID()).generate();
            Path jwks = Files.writeString(Files.createDirectories(dir).resolve("jwks.json"),
                    new JWKSet(key.toPublicJWK()).toString());
            return new BenchIssuer(key, jwks);
        } catch (JOSEException e) {
            throw new IOException("cannot generate the bench signing key", e);
        }
    }

    public Path jwksFile() {
        return jwksFile;
    }

    /** {@code count} distinct tokens, each valid for {@code lifetime} from now. */
    public List<String> tokens(int count, Duration lifetime) {
        var signer = signer();
        var out = new ArrayList<String>(count);
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            var claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(CLIENT)
                    .claim("azp", CLIENT).claim("realm_access", Map.of("roles", List.of(ROLE)))
                    .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(lifetime))).build();
            var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            try {
                jwt.sign(signer);
            } catch (JOSEException e) {
                throw new IllegalStateException("signing a bench token failed", e);
            }
            out.add(jwt.serialize());
        }
        return out;
    }

    private RSASSASigner signer() {
        try {
            return new RSASSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("the bench key cannot sign", e);
        }
    }
}
