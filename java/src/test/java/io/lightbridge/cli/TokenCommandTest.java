package io.lightbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return TokenCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsATokenWithTheRequestedClaims(@TempDir Path state) throws Exception {
        assertEquals(0, run("--sub", "alice", "--groups", "data-science,ops", "--roles", "reader", "--scope",
                "models:infer models:read", "--aud", "lightbridge", "--ttl", "2m", "--state-dir", state.toString()));
        var claims = SignedJWT.parse(out.toString(StandardCharsets.UTF_8).strip()).getJWTClaimsSet();
        assertEquals("alice", claims.getSubject());
        assertEquals(List.of("data-science", "ops"), claims.getStringListClaim("groups"));
        assertEquals("models:infer models:read", claims.getStringClaim("scope"));
        assertEquals(120_000, claims.getExpirationTime().getTime() - claims.getIssueTime().getTime());
    }

    @Test
    void initPrintsTheJwksPath(@TempDir Path state) {
        assertEquals(0, run("--init", "--state-dir", state.toString()));
        Path jwks = Path.of(out.toString(StandardCharsets.UTF_8).strip());
        assertTrue(Files.isRegularFile(jwks), jwks.toString());
    }

    @Test
    void badArgumentsExitTwoWithUsage(@TempDir Path state) {
        assertEquals(2, run("--groups", "x", "--state-dir", state.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--sub is required"));
        assertEquals(2, run("--sub", "a", "--ttl", "2h"));
        assertEquals(2, run("--sub", "a", "--colour", "red"));
        assertEquals(2, run("--sub"));
    }
}
