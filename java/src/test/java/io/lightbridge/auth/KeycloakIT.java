package io.lightbridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lightbridge.auth.AuthenticationException.Fault;
import io.lightbridge.log.ServerLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Against a real Keycloak, started once for this class: service-principal and user tokens, signing-key
 * rotation under a flow of requests, short-lived tokens, and the IdP going away. Runs in {@code mvn verify}.
 */
@Tag("keycloak")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KeycloakServer keycloak;
    private static final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startKeycloak() throws Exception {
        String zip = System.getProperty("keycloak.dist.zip");
        assertTrue(zip != null && Files.isRegularFile(Path.of(zip)), "keycloak.dist.zip not resolved: " + zip);
        Path logFile = Path.of(System.getProperty("keycloak.log", "target/keycloak.log"));
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        keycloak = KeycloakServer.start(Path.of(zip), logFile);
    }

    @AfterAll
    static void stopKeycloak() {
        if (keycloak != null) {
            keycloak.close();
        }
    }

    /** Discovery from the issuer URL, nothing else configured but the audience; no token cache, so every call verifies. */
    private static Identity identity(String extraYaml) throws Exception {
        String yaml = """
                identity:
                  token-cache-size: 0
                  issuers:
                    - issuer: %s
                      audiences: [lightbridge]
                %s""".formatted(keycloak.issuer(), extraYaml);
        var config = io.lightbridge.config.ConfigFile.of(Path.of("keycloak-it.yaml"), yaml, Set.of("identity"))
                .section("identity", IdentityConfig.class, null);
        return Identity.create(config, Clock.systemUTC(), ServerLog.lines(log::add));
    }

    @Test
    @Order(1)
    void serviceAccountTokenGivesTheServicePrincipal() throws Exception {
        try (var identity = identity("")) {
            Principal p = identity.validate(keycloak.clientCredentialsToken("scoring-service", "scoring-service-secret"));
            assertEquals(keycloak.issuer(), p.issuer());
            assertEquals("scoring-service", p.clientId());
            assertTrue(p.roles().containsAll(Set.of("model-reader", "model-admin")), p.roles().toString());
            assertEquals(Set.of("data-science"), p.groups());
            assertEquals("service-account-scoring-service", p.claims().get("preferred_username"));
            assertFalse(p.subject().isBlank());
        }
    }

    @Test
    @Order(2)
    void userTokenGivesTheUser() throws Exception {
        try (var identity = identity("      subject-claim: preferred_username\n")) {
            Principal p = identity.validate(keycloak.passwordToken("analyst-cli", "analyst-cli-secret", "alice", "alice-password"));
            assertEquals("alice", p.subject());
            assertEquals("analyst-cli", p.clientId());
            assertTrue(p.roles().contains("model-reader"), p.roles().toString());
            assertFalse(p.roles().contains("model-admin"));
            assertEquals(Set.of("data-science"), p.groups());
            assertTrue(p.scopes().contains("openid"), p.scopes().toString());
        }
    }

    @Test
    @Order(3)
    void tokenPastItsLifespanIsRejected() throws Exception {
        try (var identity = identity("      clock-skew: 0s\n")) {
            String token = keycloak.clientCredentialsToken("short-lived", "short-lived-secret");
            var claims = SignedJWT.parse(token).getJWTClaimsSet();
            assertEquals(3_000, claims.getExpirationTime().getTime() - claims.getIssueTime().getTime());
            identity.validate(token);
            Thread.sleep(Math.max(0, claims.getExpirationTime().getTime() - System.currentTimeMillis()) + 1_000);
            var e = assertThrows(AuthenticationException.class, () -> identity.validate(token));
            assertEquals("expired", e.reason());
        }
    }

    @Test
    @Order(4)
    void signingKeyRotationWhileRequestsFlowFailsNothing() throws Exception {
        try (var identity = identity("")) {
            String before = keycloak.clientCredentialsToken("scoring-service", "scoring-service-secret");
            identity.validate(before);
            var running = new AtomicBoolean(true);
            var ok = new AtomicInteger();
            var failures = new CopyOnWriteArrayList<String>();
            var kids = ConcurrentHashMap.<String>newKeySet();
            Thread flow = Thread.ofPlatform().name("token-flow").start(() -> {
                while (running.get()) {
                    try {
                        String token = keycloak.clientCredentialsToken("scoring-service", "scoring-service-secret");
                        kids.add(SignedJWT.parse(token).getHeader().getKeyID());
                        identity.validate(token);
                        identity.validate(before);
                        ok.addAndGet(2);
                    } catch (AuthenticationException e) {
                        failures.add(e.reason() + ": " + e.getMessage());
                    } catch (Exception e) {
                        failures.add("IdP call failed: " + e);
                    }
                }
            });
            try {
                Thread.sleep(1_500);
                JsonNode realm = keycloak.admin("GET", "", null);
                JsonNode old = oldRsaKey();
                var rotated = Map.of("name", "rsa-rotated", "providerId", "rsa-generated",
                        "providerType", "org.keycloak.keys.KeyProvider", "parentId", realm.get("id").asText(),
                        "config", Map.of("priority", List.of("200"), "keySize", List.of("2048"),
                                "algorithm", List.of("RS256"), "enabled", List.of("true"), "active", List.of("true")));
                keycloak.admin("POST", "/components", rotated);
                Thread.sleep(2_500);
                keycloak.admin("PUT", "/components/" + old.get("id").asText(), withConfig(old, "active", "false"));
                Thread.sleep(1_500);
                keycloak.admin("PUT", "/components/" + old.get("id").asText(), withConfig(old, "enabled", "false"));
                Thread.sleep(2_500);
            } finally {
                running.set(false);
                flow.join(15_000);
            }
            assertEquals(List.of(), failures);
            assertEquals(2, kids.size(), "tokens from the old and the rotated key: " + kids);
            assertTrue(ok.get() > 20, "requests validated: " + ok.get());
            assertTrue(identity.stats().jwksFetches() <= 3, "JWKS fetches: " + identity.stats().jwksFetches());
        }
    }

    @Test
    @Order(5)
    void keycloakStoppedCachedKeysStillPass() throws Exception {
        try (var identity = identity("")) {
            var tokens = new ArrayList<String>();
            tokens.add(keycloak.clientCredentialsToken("scoring-service", "scoring-service-secret"));
            tokens.add(keycloak.passwordToken("analyst-cli", "analyst-cli-secret", "alice", "alice-password"));
            identity.validate(tokens.getFirst());
            keycloak.close();
            assertFalse(keycloak.isAlive());
            for (int round = 0; round < 3; round++) {
                for (String token : tokens) {
                    assertEquals(keycloak.issuer(), identity.validate(token).issuer());
                }
            }
            var stranger = new RSAKeyGenerator(2048).keyID("not-from-keycloak").generate();
            var claims = JWTClaimsSet.parse(SignedJWT.parse(tokens.getFirst()).getJWTClaimsSet().toJSONObject());
            var forged = LocalIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("not-from-keycloak").build(),
                    new JWTClaimsSet.Builder(claims).issueTime(new Date()).build(), stranger);
            var e = assertThrows(AuthenticationException.class, () -> identity.validate(forged));
            assertEquals(Fault.CALLER, e.fault(), "keys are known, so an unknown kid is the caller's problem, not a 503");
            assertEquals("unknown_key", e.reason());
        }
    }

    private static JsonNode oldRsaKey() throws Exception {
        for (JsonNode component : keycloak.admin("GET", "/components?type=org.keycloak.keys.KeyProvider", null)) {
            if (component.get("providerId").asText().equals("rsa-generated") && !component.get("name").asText().equals("rsa-rotated")) {
                return component;
            }
        }
        throw new AssertionError("the realm has no rsa-generated key provider");
    }

    private static JsonNode withConfig(JsonNode component, String key, String value) {
        ObjectNode copy = component.deepCopy();
        ((ObjectNode) copy.get("config")).set(key, JSON.createArrayNode().add(value));
        return copy;
    }
}
