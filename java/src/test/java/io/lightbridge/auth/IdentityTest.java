package io.lightbridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.lightbridge.auth.AuthenticationException.Fault;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Request;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer-token validation against a local issuer; one test per acceptance rule and per rejection reason. */
class IdentityTest {
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

    private LocalIssuer idp;
    private MutableClock clock;
    private Identity identity;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final ServerLog serverLog = ServerLog.lines(log::add);

    @BeforeEach
    void start() throws Exception {
        idp = new LocalIssuer();
        clock = new MutableClock(START);
        identity = Identity.create(new IdentityConfig(List.of(idp.config()), null), clock, serverLog);
    }

    @AfterEach
    void stop() throws Exception {
        identity.close();
        idp.close();
    }

    private JWTClaimsSet.Builder claims() {
        return idp.claims(START);
    }

    private AuthenticationException refused(String token) {
        return assertThrows(AuthenticationException.class, () -> identity.validate(token));
    }

    private void assertRefused(String reason, String token) {
        var e = refused(token);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(Fault.CALLER, e.fault());
        assertFalse(e.getMessage().contains(token), "the message never echoes the token");
        assertFalse(log.stream().anyMatch(line -> line.contains(token)), "the token never reaches the log");
    }

    @Test
    void acceptsRs256ViaDiscoveryAndMapsThePrincipal() throws Exception {
        Principal p = identity.validate(idp.rs256(claims().build()));
        assertEquals("alice", p.subject());
        assertEquals(idp.issuer(), p.issuer());
        assertEquals("analytics-app", p.clientId());
        assertEquals(Set.of("data-science"), p.groups());
        assertEquals(Set.of("model-reader"), p.roles());
        assertEquals(Set.of("openid", "models:infer"), p.scopes());
        assertEquals(START.plus(Duration.ofMinutes(5)), p.expiresAt());
        assertEquals(List.of("model-reader"), p.claims().get("realm_access.roles"));
        assertEquals(Long.toString(START.getEpochSecond()), p.claims().get("iat"));
        assertThrows(UnsupportedOperationException.class, () -> p.claims().put("sub", "admin"));
        assertThrows(UnsupportedOperationException.class, () -> p.claims().remove("sub"));
        assertEquals("alice", p.claims().get("sub"));
        assertEquals(1, idp.hits("/.well-known/openid-configuration"));
    }

    @Test
    void acceptsEs256AndEdDsa() throws Exception {
        assertEquals("alice", identity.validate(idp.es256(claims().build())).subject());
        assertEquals("alice", identity.validate(idp.eddsa(claims().build())).subject());
    }

    @Test
    void acceptsAudienceAsPlainStringAndScopesAsArray() throws Exception {
        var token = idp.rs256(claims().audience("lightbridge").claim("scope", null).claim("scp", List.of("a", "b")).build());
        assertEquals(Set.of("a", "b"), identity.validate(token).scopes());
    }

    @Test
    void missingTokenIsRefusedWithoutErrorCode() {
        var none = new Request("POST", "/v2/models/m/infer", "", Headers.EMPTY, "127.0.0.1", null);
        var e = assertThrows(AuthenticationException.class, () -> identity.authenticate(none));
        assertTrue(e.missingToken());
        var basic = new Request("POST", "/x", "", Headers.of("Authorization", "Basic YTpi"), "127.0.0.1", null);
        assertTrue(assertThrows(AuthenticationException.class, () -> identity.authenticate(basic)).missingToken());
        assertEquals(2L, identity.stats().failuresByReason().get("missing_token"));
    }

    @Test
    void authenticateReadsTheBearerHeader() throws Exception {
        var request = new Request("POST", "/x", "", Headers.of("authorization", "bearer " + idp.rs256(claims().build())),
                "127.0.0.1", null);
        assertEquals("alice", identity.authenticate(request).subject());
    }

    @Test
    void algNoneIsRefused() {
        assertRefused("unsigned", new PlainJWT(claims().build()).serialize());
    }

    @Test
    void encryptedTokenIsRefused() throws Exception {
        var jwe = new com.nimbusds.jwt.EncryptedJWT(new com.nimbusds.jose.JWEHeader(com.nimbusds.jose.JWEAlgorithm.RSA_OAEP_256,
                com.nimbusds.jose.EncryptionMethod.A256GCM), claims().build());
        jwe.encrypt(new com.nimbusds.jose.crypto.RSAEncrypter(idp.encryption.toRSAPublicKey()));
        assertRefused("encrypted", jwe.serialize());
    }

    @Test
    void algNoneWithASignatureSegmentIsRefused() throws Exception {
        String[] parts = idp.rs256(claims().build()).split("\\.");
        String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}").toString();
        assertRefused("malformed", header + "." + parts[1] + "." + parts[2]);
    }

    @Test
    void hs256SignedWithTheIssuersRsaPublicKeyIsRefused() throws Exception {
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
        jwt.sign(new MACSigner(idp.rsa.toRSAPublicKey().getEncoded()));
        assertRefused("alg_not_allowed", jwt.serialize());
    }

    @Test
    void kidPointingAtAnotherKeyIsRefused() throws Exception {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        assertRefused("bad_signature", LocalIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                claims().build(), attacker));
        assertRefused("unknown_key", LocalIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ec-1").build(),
                claims().build(), attacker));
    }

    @Test
    void encryptionKeyIsNeverUsedToVerify() throws Exception {
        assertRefused("unknown_key", LocalIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("enc-1").build(),
                claims().build(), idp.encryption));
    }

    @Test
    void unknownKidTriggersAtMostOneRateLimitedRefresh() throws Exception {
        identity.validate(idp.rs256(claims().build()));
        int before = idp.hits("/keys");
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("rotated-away").generate();
        for (int i = 0; i < 5; i++) {
            assertRefused("unknown_key", LocalIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID("rotated-away").build(), claims().jwtID("t" + i).build(), stranger));
        }
        assertTrue(idp.hits("/keys") - before <= 1, "at most one refresh for unknown kids, got " + (idp.hits("/keys") - before));
    }

    @Test
    void madeUpKidsAndHeadersDoNotCrowdOutTheRealKey() throws Exception {
        for (int i = 0; i < 300; i++) { // more distinct headers and kids than are remembered
            var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("made-up-" + i).build(), claims().build());
            jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(idp.ec));
            assertRefused("unknown_key", jwt.serialize());
        }
        assertEquals("alice", identity.validate(idp.rs256(claims().build())).subject());
        assertEquals("alice", identity.validate(idp.es256(claims().build())).subject());
    }

    @Test
    void newKeyIsPickedUpByOneRefresh() throws Exception {
        identity.validate(idp.rs256(claims().build()));
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").keyUse(KeyUse.SIGNATURE).generate();
        idp.publish(List.of(idp.rsa.toPublicJWK(), next.toPublicJWK()));
        var token = LocalIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-2").build(), claims().build(), next);
        assertEquals("alice", identity.validate(token).subject());
    }

    @Test
    void jkuX5uAndJwkHeadersAreNeverFollowed() throws Exception {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID("attacker").keyUse(KeyUse.SIGNATURE).generate();
        var fetched = new AtomicInteger();
        HttpServer evil = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        evil.createContext("/", exchange -> {
            fetched.incrementAndGet();
            byte[] body = new JWKSet(attacker.toPublicJWK()).toString().getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        evil.start();
        try {
            URI evilUrl = URI.create("http://127.0.0.1:" + evil.getAddress().getPort() + "/jwks.json");
            var headers = List.of(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker").jwkURL(evilUrl).build(),
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker").x509CertURL(evilUrl).build(),
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker").jwk(attacker.toPublicJWK()).build(),
                    new JWSHeader.Builder(JWSAlgorithm.RS256).jwkURL(evilUrl).jwk(attacker.toPublicJWK()).build());
            for (JWSHeader header : headers) {
                var e = refused(LocalIssuer.sign(header, claims().build(), attacker));
                assertTrue(Set.of("unknown_key", "bad_signature").contains(e.reason()), e.reason());
            }
            assertEquals(0, fetched.get(), "the attacker's key set was fetched");
        } finally {
            evil.stop(0);
        }
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        clock.set(START.plus(Duration.ofMinutes(5)).plus(Duration.ofSeconds(61)));
        assertRefused("expired", idp.rs256(claims().build()));
    }

    @Test
    void expiryToleratesTheClockSkew() throws Exception {
        clock.set(START.plus(Duration.ofMinutes(5)).plus(Duration.ofSeconds(59)));
        assertEquals("alice", identity.validate(idp.rs256(claims().build())).subject());
    }

    @Test
    void notBeforeInTheFutureIsRefused() throws Exception {
        assertRefused("not_yet_valid", idp.rs256(claims().notBeforeTime(Date.from(START.plusSeconds(120))).build()));
    }

    @Test
    void issuedInTheFutureIsRefused() throws Exception {
        Instant later = START.plusSeconds(120);
        assertRefused("issued_in_future", idp.rs256(claims().issueTime(Date.from(later)).notBeforeTime(null)
                .expirationTime(Date.from(later.plusSeconds(300))).build()));
    }

    @Test
    void wrongAudienceIsRefused() throws Exception {
        assertRefused("wrong_audience", idp.rs256(claims().audience(List.of("billing", "other")).build()));
        assertRefused("wrong_audience", idp.rs256(claims().audience((String) null).build()));
    }

    @Test
    void unknownIssuerIsRefused() throws Exception {
        assertRefused("unknown_issuer", idp.rs256(claims().issuer("https://evil.example.com").build()));
        assertRefused("unknown_issuer", idp.rs256(claims().issuer(idp.issuer() + "/").build()));
        assertRefused("unknown_issuer", idp.rs256(claims().issuer(null).build()));
    }

    @Test
    void claimsVerifierRefusesAnotherIssuer() {
        var verifier = new ClaimsVerifier(idp.config(), clock);
        var e = assertThrows(ClaimRejection.class,
                () -> verifier.verify(claims().issuer("https://other.example.com").build(), null));
        assertEquals("wrong_issuer", e.reason());
    }

    @Test
    void lifetimeOverTheMaximumIsRefused() throws Exception {
        assertRefused("lifetime_too_long", idp.rs256(claims().expirationTime(Date.from(START.plus(Duration.ofMinutes(61)))).build()));
    }

    @Test
    void missingRequiredClaimsAreRefused() throws Exception {
        assertRefused("missing_claim", idp.rs256(claims().subject(null).build()));
        assertRefused("missing_claim", idp.rs256(claims().issueTime(null).build()));
        assertRefused("missing_claim", idp.rs256(claims().expirationTime(null).build()));
    }

    @Test
    void tamperedPayloadIsRefused() throws Exception {
        String[] parts = idp.rs256(claims().build()).split("\\.");
        String forged = Base64URL.encode(claims().subject("admin").build().toString()).toString();
        assertRefused("bad_signature", parts[0] + "." + forged + "." + parts[2]);
    }

    @Test
    void criticalHeaderIsRefused() throws Exception {
        var header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").criticalParams(Set.of("exp-policy"))
                .customParam("exp-policy", "x").build();
        assertRefused("unsupported_crit", LocalIssuer.sign(header, claims().build(), idp.rsa));
    }

    @Test
    void unexpectedTokenTypeIsRefused() throws Exception {
        var header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                .type(new com.nimbusds.jose.JOSEObjectType("logout+jwt")).build();
        assertRefused("wrong_type", LocalIssuer.sign(header, claims().build(), idp.rsa));
    }

    @Test
    void tokenOf100KbIsRefusedBeforeParsing() throws Exception {
        String token = idp.rs256(claims().claim("padding", "x".repeat(100 * 1024)).build());
        assertRefused("token_too_large", token);
    }

    @Test
    void garbageInEachSegmentIsRefused() throws Exception {
        String[] parts = idp.rs256(claims().build()).split("\\.");
        List<String> garbage = new ArrayList<>(List.of(
                "!!!." + parts[1] + "." + parts[2],
                parts[0] + ".%%%." + parts[2],
                parts[0] + "." + parts[1] + ".***",
                Base64URL.encode("not json") + "." + parts[1] + "." + parts[2],
                parts[0] + "." + Base64URL.encode("[1,2]") + "." + parts[2],
                parts[0] + "." + parts[1] + "." + Base64URL.encode("short"),
                "a.b", "....", "", "  "));
        for (String token : garbage) {
            var e = assertThrows(AuthenticationException.class, () -> identity.validate(token), token);
            assertTrue(Set.of("malformed", "bad_signature").contains(e.reason()), token + " -> " + e.reason());
            assertEquals(Fault.CALLER, e.fault());
        }
    }

    @Test
    void signedTokensWithAmbiguousJsonOrStrayCharactersAreMalformed() throws Exception {
        String json = claims().build().toString();
        List<String> payloads = List.of(
                "{\"sub\":\"admin\"," + json.substring(1),                  // a duplicate claim name
                "{\"x\":{\"a\":1,\"a\":2}," + json.substring(1),           // a duplicate name in a nested object
                json + " {}",                                                // content after the claims object
                "{'sub':'alice'," + json.substring(1),                       // not JSON (single quotes)
                json.replace("\"exp\":" + START.plusSeconds(300).getEpochSecond(), // 2^64 + exp: not a plausible time
                        "\"exp\":" + java.math.BigInteger.TWO.pow(64).add(java.math.BigInteger.valueOf(
                                START.plusSeconds(300).getEpochSecond()))));
        for (String payload : payloads) {
            var jws = new com.nimbusds.jose.JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                    new com.nimbusds.jose.Payload(payload));
            jws.sign(new com.nimbusds.jose.crypto.RSASSASigner(idp.rsa));
            assertRefused("malformed", jws.serialize());
        }
        String valid = idp.rs256(claims().build());
        int signature = valid.lastIndexOf('.') + 1;
        // nimbus' own decoder skips characters outside base64url; they must not pass as the same signature
        assertRefused("malformed", valid.substring(0, signature) + "~" + valid.substring(signature));
        assertRefused("malformed", valid.substring(0, 5) + "!" + valid.substring(5));
        assertEquals("alice", identity.validate(valid).subject());
    }

    @Test
    void validatedTokensAreCachedUntilExpiry() throws Exception {
        String token = idp.rs256(claims().build());
        Principal first = identity.validate(token);
        assertEquals(first, identity.validate(token));
        assertEquals(1, identity.stats().cacheHits());
        clock.set(START.plus(Duration.ofMinutes(5)).minusMillis(1));
        identity.validate(token);
        assertEquals(2, identity.stats().cacheHits());
        clock.set(START.plus(Duration.ofMinutes(5)));
        identity.validate(token); // within the skew: valid, but verified afresh
        assertEquals(2, identity.stats().cacheHits(), "a cached entry outlived exp");
        clock.set(START.plus(Duration.ofMinutes(7)));
        assertRefused("expired", token);
    }

    @Test
    void issuerDownAtStartGivesServerFaultOnlyWhileNoKeyIsKnown() throws Exception {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        var down = new IssuerConfig("http://127.0.0.1:" + port, List.of("lightbridge"), null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
        try (var offline = Identity.create(new IdentityConfig(List.of(down), null), clock, serverLog)) {
            String token = idp.rs256(claims().issuer(down.issuer()).build());
            var e = assertThrows(AuthenticationException.class, () -> offline.validate(token));
            assertEquals(Fault.SERVER, e.fault());
            assertEquals("keys_unavailable", e.reason());
            assertTrue(offline.stats().jwksFailures() >= 1);
        }
    }

    @Test
    void jwksFileIssuerReadsKeysThatAppearAfterStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        var fileIssuer = new IssuerConfig("http://127.0.0.1/lightbridge-dev", List.of("lightbridge"), null, null, null,
                null, null, null, null, null, null, null, null, file, null, null);
        try (var local = Identity.create(new IdentityConfig(List.of(fileIssuer), null), clock, serverLog)) {
            Files.writeString(file, new JWKSet(List.<JWK>of(idp.ec.toPublicJWK())).toString());
            String token = idp.es256(claims().issuer(fileIssuer.issuer()).build());
            Principal p = null;
            for (int attempt = 0; attempt < 50 && p == null; attempt++) {
                try {
                    p = local.validate(token);
                } catch (AuthenticationException e) {
                    // the background prefetch may have found no file yet and used up the rate limit; the
                    // limit allows two fetches per interval, so retry briefly
                    Thread.sleep(100);
                }
            }
            assertEquals("alice", p == null ? null : p.subject());
        }
    }

    @Test
    void hmacIssuerNeedsItsOwnSecret(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret");
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        Files.write(secret, bytes);
        var hs = new IssuerConfig("https://hs.example.com", List.of("lightbridge"), null, List.of("HS256"), null, null,
                null, null, null, null, null, null, null, null, secret, null);
        try (var hmac = Identity.create(new IdentityConfig(List.of(hs), null), clock, serverLog)) {
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().issuer(hs.issuer()).build());
            jwt.sign(new MACSigner(bytes));
            assertEquals("alice", hmac.validate(jwt.serialize()).subject());
            var forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().issuer(hs.issuer()).build());
            forged.sign(new MACSigner(new byte[32]));
            var e = assertThrows(AuthenticationException.class, () -> hmac.validate(forged.serialize()));
            assertEquals("bad_signature", e.reason());
        }
    }

    @Test
    void closeIsIdempotentAndRefusesAfterwards() throws Exception {
        String token = idp.rs256(claims().build());
        identity.close();
        identity.close();
        assertEquals(Fault.SERVER, assertThrows(AuthenticationException.class, () -> identity.validate(token)).fault());
    }

    @Test
    void failuresAreCountedByReason() throws Exception {
        refused(new PlainJWT(claims().build()).serialize());
        refused("x.y.z");
        refused("x.y.z");
        assertEquals(1L, identity.stats().failuresByReason().get("unsigned"));
        assertEquals(2L, identity.stats().failuresByReason().get("malformed"));
    }
}
