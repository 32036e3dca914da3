package io.lightbridge.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OIDC issuer on loopback for tests: discovery document and JWK set over HTTP (counting every
 * request by path), an RSA, an EC and an Ed25519 signing key, an RSA encryption key, and token minting.
 */
final class LocalIssuer implements AutoCloseable {
    final RSAKey rsa;
    final ECKey ec;
    final KeyPair ed25519;
    final OctetKeyPair ed25519Jwk;
    final RSAKey encryption;
    private final HttpServer server;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile List<JWK> published;

    /** Generated once per test JVM: RSA key generation is slow on a loaded machine. */
    private static final class Keys {
        static final RSAKey RSA;
        static final ECKey EC;
        static final KeyPair ED25519;
        static final RSAKey ENCRYPTION;

        static {
            try {
                RSA = new RSAKeyGenerator(2048).keyID("rsa-1").keyUse(KeyUse.SIGNATURE).generate();
                EC = new ECKeyGenerator(Curve.P_256).keyID("ec-1").keyUse(KeyUse.SIGNATURE).generate();
                ED25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                ENCRYPTION = new RSAKeyGenerator(2048).keyID("enc-1").keyUse(KeyUse.ENCRYPTION).generate();
            } catch (Exception e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    LocalIssuer() throws Exception {
        rsa = Keys.RSA;
        ec = Keys.EC;
        ed25519 = Keys.ED25519;
        byte[] spki = ed25519.getPublic().getEncoded();
        ed25519Jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
                .keyID("ed-1").keyUse(KeyUse.SIGNATURE).build();
        encryption = Keys.ENCRYPTION;
        published = List.of(rsa.toPublicJWK(), ec.toPublicJWK(), ed25519Jwk, encryption.toPublicJWK());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String body = switch (path) {
                case "/.well-known/openid-configuration" ->
                        "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/keys\"}";
                case "/keys" -> new JWKSet(published).toString();
                default -> null;
            };
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int hits(String path) {
        var n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    void publish(List<JWK> keys) {
        published = List.copyOf(keys);
    }

    /** Claims that pass the default checks of {@link #config()} at {@code now}. */
    JWTClaimsSet.Builder claims(Instant now) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject("alice")
                .audience("lightbridge")
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .jwtID("jti-" + System.nanoTime())
                .claim("azp", "analytics-app")
                .claim("groups", List.of("data-science"))
                .claim("realm_access", Map.of("roles", List.of("model-reader")))
                .claim("scope", "openid models:infer");
    }

    IssuerConfig config() {
        return new IssuerConfig(issuer(), List.of("lightbridge"), null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    String rs256(JWTClaimsSet claims) throws Exception {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).type(JOSEObjectType.JWT).build(), claims, rsa);
    }

    String es256(JWTClaimsSet claims) throws Exception {
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(ec));
        return jwt.serialize();
    }

    /** EdDSA signed with the JDK (nimbus would need Tink to sign). */
    String eddsa(JWTClaimsSet claims) throws Exception {
        String header = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(ed25519Jwk.getKeyID()).build().toBase64URL().toString();
        String input = header + "." + Base64URL.encode(claims.toString());
        var signer = Signature.getInstance("Ed25519");
        signer.initSign(ed25519.getPrivate());
        signer.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(signer.sign());
    }

    static String sign(JWSHeader header, JWTClaimsSet claims, RSAKey key) throws Exception {
        var jwt = new SignedJWT(header, claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    List<String> paths() {
        return new ArrayList<>(hits.keySet());
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
    }
}
