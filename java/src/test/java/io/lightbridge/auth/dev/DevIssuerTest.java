package io.lightbridge.auth.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.auth.Identity;
import io.lightbridge.auth.IdentityConfig;
import io.lightbridge.auth.IssuerConfig;
import io.lightbridge.auth.Principal;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevIssuerTest {
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

    /** The identity section ./lightbridge run writes, with the state directory filled in. */
    static IdentityConfig runConfig(Path stateDir) throws Exception {
        String yaml = """
                identity:
                  issuers:
                    - issuer: http://127.0.0.1/lightbridge-dev
                      audiences: [lightbridge]
                      jwks-file: %s/dev-issuer/jwks.json
                """.formatted(stateDir);
        return ConfigFile.of(Path.of("run.yaml"), yaml, Set.of("identity")).section("identity", IdentityConfig.class, null);
    }

    @Test
    void keyIsCreatedOnceWithPrivateModeAndTokensAreAcceptedByTheRunConfig(@TempDir Path state) throws Exception {
        DevIssuer issuer = DevIssuer.open(state);
        Path key = state.resolve("dev-issuer/signing-key.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
        String keyText = Files.readString(key);
        DevIssuer.open(state);
        assertEquals(keyText, Files.readString(key), "the key is created on first use only");

        String token = issuer.issue("alice", List.of("lightbridge"), List.of("data-science"), List.of("reader"),
                List.of("models:infer"), Duration.ofMinutes(5), NOW);
        try (var identity = Identity.create(runConfig(state), NOW, ServerLog.NONE)) {
            Principal p = identity.validate(token);
            assertEquals("alice", p.subject());
            assertEquals(DevIssuer.ISSUER, p.issuer());
            assertEquals(DevIssuer.CLIENT_ID, p.clientId());
            assertEquals(Set.of("data-science"), p.groups());
            assertEquals(Set.of("reader"), p.roles());
            assertEquals(Set.of("models:infer"), p.scopes());
        }
    }

    @Test
    void anotherStateDirectoryIsAnotherIssuerKey(@TempDir Path a, @TempDir Path b) throws Exception {
        String foreign = DevIssuer.open(b).issue("mallory", List.of("lightbridge"), List.of(), List.of(), List.of(),
                Duration.ofMinutes(5), NOW);
        DevIssuer.open(a);
        assertNotEquals(Files.readString(a.resolve("dev-issuer/jwks.json")), Files.readString(b.resolve("dev-issuer/jwks.json")));
        try (var identity = Identity.create(runConfig(a), NOW, ServerLog.NONE)) {
            var e = assertThrows(AuthenticationException.class, () -> identity.validate(foreign));
            assertEquals("unknown_key", e.reason());
        }
    }

    @Test
    void theDevIssuerIsAnOrdinaryConfiguredIssuer() {
        var config = new IssuerConfig(DevIssuer.ISSUER, List.of("lightbridge"), null, null, null, null, null, null,
                null, null, null, null, null, Path.of("/nonexistent/jwks.json"), null, null);
        assertEquals(List.of("RS256", "PS256", "ES256", "EdDSA"), config.algorithms());
    }
}
