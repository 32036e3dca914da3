package io.lightbridge.bench.jmh;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.auth.Identity;
import io.lightbridge.auth.IdentityConfig;
import io.lightbridge.auth.IssuerConfig;
import io.lightbridge.auth.Principal;
import io.lightbridge.log.ServerLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bearer-token validation (issue 3 goals: fresh ≤ 1.2× the raw signature check on the same key; cached ≤ 1 µs).
 * "fresh" runs the whole validation (parse, issuer selection, key selection, signature, claims, principal)
 * with the token cache off; "raw" is only the JCA signature check of the same token, with a Signature object
 * obtained per call as any thread-safe verifier must; "cached" is a repeat of a validated token.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenValidationBenchmark {
    private static final String ISSUER = "https://idp.example.com/realms/bench";

    private Identity uncached;
    private Identity cached;
    private String rs256;
    private String es256;
    private byte[] rs256Input;
    private byte[] rs256Signature;
    private byte[] es256Input;
    private byte[] es256Signature;
    private PublicKey rsaPublic;
    private PublicKey ecPublic;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").keyUse(KeyUse.SIGNATURE).generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").keyUse(KeyUse.SIGNATURE).generate();
        dir = Files.createTempDirectory("lightbridge-jmh");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
        var issuer = new IssuerConfig(ISSUER, List.of("lightbridge"), null, null, null, null, null, null, null,
                null, null, null, null, jwks, null, null);
        uncached = Identity.create(new IdentityConfig(List.of(issuer), 0), Clock.systemUTC(), ServerLog.NONE);
        cached = Identity.create(new IdentityConfig(List.of(issuer), 10_000), Clock.systemUTC(), ServerLog.NONE);

        Instant now = Instant.now();
        // A Keycloak-shaped access token (≈ 1 KB).
        var claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("3c2b8f0e-6a57-4d8e-9a4f-0d1c2b3a4e5f")
                .audience(List.of("lightbridge", "account")).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(50)))).jwtID("onrtcc:6f7e8d9c-0b1a-2c3d-4e5f")
                .claim("azp", "scoring-service").claim("typ", "Bearer").claim("scope", "openid profile email models:infer")
                .claim("groups", List.of("data-science", "ml-platform"))
                .claim("realm_access", Map.of("roles", List.of("model-reader", "offline_access", "uma_authorization")))
                .claim("preferred_username", "service-account-scoring-service").claim("client_id", "scoring-service")
                .build();
        var rsJwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa").build(), claims);
        rsJwt.sign(new RSASSASigner(rsa));
        rs256 = rsJwt.serialize();
        var esJwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec").build(), claims);
        esJwt.sign(new ECDSASigner(ec));
        es256 = esJwt.serialize();
        rs256Input = signingInput(rs256);
        rs256Signature = signature(rs256);
        es256Input = signingInput(es256);
        es256Signature = signature(es256);
        rsaPublic = rsa.toRSAPublicKey();
        ecPublic = ec.toECPublicKey();
        // load the keys and fill the cache before measuring
        uncached.validate(rs256);
        cached.validate(rs256);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        uncached.close();
        cached.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public Principal freshRs256() throws AuthenticationException {
        return uncached.validate(rs256);
    }

    @Benchmark
    public boolean rawRs256() throws Exception {
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(rsaPublic);
        verifier.update(rs256Input);
        return verifier.verify(rs256Signature);
    }

    @Benchmark
    public Principal freshEs256() throws AuthenticationException {
        return uncached.validate(es256);
    }

    @Benchmark
    public boolean rawEs256() throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(ecPublic);
        verifier.update(es256Input);
        return verifier.verify(es256Signature);
    }

    @Benchmark
    public Principal cachedRs256() throws AuthenticationException {
        return cached.validate(rs256);
    }

    private static byte[] signingInput(String token) {
        return token.substring(0, token.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] signature(String token) {
        return new Base64URL(token.substring(token.lastIndexOf('.') + 1)).decode();
    }
}
