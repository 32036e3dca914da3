package io.lightbridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The identity section as admins write it: defaults, and errors naming file, line and key. */
class IdentityConfigTest {
    private static final Path FILE = Path.of("/etc/lightbridge/lightbridge.yaml");

    private static IdentityConfig bind(String yaml) throws ConfigException {
        return ConfigFile.of(FILE, yaml, Set.of("identity", "server")).section("identity", IdentityConfig.class, IdentityConfig.NONE);
    }

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> bind(yaml));
    }

    @Test
    void absentSectionTrustsNoIssuer() throws Exception {
        assertEquals(List.of(), bind("server: {}\n").issuers());
    }

    @Test
    void defaultsFollowTheIssue() throws Exception {
        IssuerConfig issuer = bind("""
                identity:
                  issuers:
                    - issuer: https://login.example.com/realms/data
                      audiences: lightbridge
                """).issuers().getFirst();
        assertEquals(List.of("lightbridge"), issuer.audiences());
        assertEquals(List.of("RS256", "PS256", "ES256", "EdDSA"), issuer.algorithms());
        assertEquals(Duration.ofSeconds(60), issuer.clockSkew());
        assertEquals(Duration.ofHours(1), issuer.maxTokenLifetime());
        assertEquals("sub", issuer.subjectClaim());
        assertEquals(List.of("client_id", "azp", "appid"), issuer.clientIdClaims());
        assertEquals(List.of("roles", "realm_access.roles"), issuer.rolesClaims());
        assertEquals(List.of("scope", "scp"), issuer.scopesClaims());
        assertEquals(null, issuer.jwksUri());
    }

    @Test
    void everyKeyBinds() throws Exception {
        IssuerConfig issuer = bind("""
                identity:
                  token-cache-size: 500
                  issuers:
                    - issuer: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf
                      audiences: [3k2example]
                      audience-claim: client_id
                      algorithms: [RS256]
                      clock-skew: 30s
                      max-token-lifetime: 2h
                      required-claims: [token_use]
                      subject-claim: username
                      client-id-claims: [client_id]
                      groups-claims: ["cognito:groups"]
                      roles-claims: []
                      scopes-claims: [scope]
                      jwks-uri: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf/.well-known/jwks.json
                      jwks-refresh: 10m
                """).issuers().getFirst();
        assertEquals("client_id", issuer.audienceClaim());
        assertEquals(Duration.ofHours(2), issuer.maxTokenLifetime());
        assertEquals(List.of("cognito:groups"), issuer.groupsClaims());
        assertEquals(List.of(), issuer.rolesClaims());
    }

    @Test
    void plainHttpOnlyOnLoopback() throws Exception {
        var e = error("""
                identity:
                  issuers:
                    - issuer: http://login.example.com
                      audiences: [lightbridge]
                """);
        assertEquals(FILE, e.file());
        assertTrue(e.line() >= 3, "line " + e.line());
        assertTrue(e.key().startsWith("identity.issuers[0]"), e.key());
        assertTrue(e.getMessage().contains("issuer: 'http://login.example.com' must use https"), e.getMessage());
        assertEquals("http://127.0.0.1:8080/realms/x", bind("""
                identity:
                  issuers:
                    - {issuer: "http://127.0.0.1:8080/realms/x", audiences: [a]}
                """).issuers().getFirst().issuer());
    }

    @Test
    void unknownKeyIsNamed() {
        var e = error("""
                identity:
                  issuers:
                    - issuer: https://login.example.com
                      audiences: [lightbridge]
                      audience: lightbridge
                """);
        assertEquals("identity.issuers[0].audience", e.key());
        assertTrue(e.line() == 5 || e.line() == 6, "line " + e.line()); // Jackson reports where it stopped reading
    }

    @Test
    void wrongTypeIsNamed() {
        var e = error("""
                identity:
                  issuers:
                    - issuer: https://login.example.com
                      audiences: [lightbridge]
                      clock-skew: soon
                """);
        assertEquals("identity.issuers[0].clock-skew", e.key());
    }

    @Test
    void refusedAlgorithmsAndKeySources() {
        assertTrue(error(issuerWith("algorithms: [none]")).getMessage().contains("'none' is not accepted"));
        assertTrue(error(issuerWith("algorithms: [HS256]")).getMessage().contains("need hmac-secret-file"));
        assertTrue(error(issuerWith("algorithms: [HS256, RS256]\n      hmac-secret-file: /x")).getMessage().contains("cannot be mixed"));
        assertTrue(error(issuerWith("jwks-uri: http://keys.example.com/jwks")).getMessage().contains("jwks-uri"));
        assertTrue(error(issuerWith("jwks-uri: https://a/jwks\n      jwks-file: /tmp/k")).getMessage().contains("not both"));
        assertTrue(error(issuerWith("clock-skew: 10m")).getMessage().contains("clock-skew"));
        assertTrue(error("identity:\n  issuers:\n    - issuer: https://a.example.com\n").getMessage().contains("audiences"));
    }

    @Test
    void sameIssuerTwiceIsRefused() {
        var e = error("""
                identity:
                  issuers:
                    - {issuer: "https://a.example.com", audiences: [x]}
                    - {issuer: "https://a.example.com", audiences: [y]}
                """);
        assertTrue(e.getMessage().contains("configured twice"), e.getMessage());
    }

    private static String issuerWith(String line) {
        return "identity:\n  issuers:\n    - issuer: https://login.example.com\n      audiences: [lightbridge]\n      " + line + "\n";
    }
}
