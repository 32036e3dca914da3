package io.lightbridge.auth.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * DEVELOPMENT ONLY: a local token issuer for the demo and tests. Its EC P-256 key is created on first use
 * under {@code <state-dir>/dev-issuer/} (private key mode 600, never committed); Lightbridge trusts it only
 * through an explicit {@code jwks-file} issuer entry pointing at {@link #jwksFile()}.
 */
public final class DevIssuer {
    public static final String ISSUER = "http://127.0.0.1/lightbridge-dev";
    public static final String CLIENT_ID = "lightbridge-dev-cli";

    private final Path directory;
    private final ECKey key;

    private DevIssuer(Path directory, ECKey key) {
        this.directory = directory;
        this.key = key;
    }

    /** Opens the issuer under {@code stateDir}, creating its key and public JWK set on first use. */
    public static DevIssuer open(Path stateDir) throws IOException {
        Path dir = stateDir.resolve("dev-issuer");
        Files.createDirectories(dir);
        // 755: a lighttpd that drops privileges must still read jwks.json; the key file itself is 600
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path keyFile = dir.resolve("signing-key.json");
        if (!Files.exists(keyFile)) {
            writePrivately(keyFile, generate().toJSONString());
        }
        ECKey key;
        try {
            key = ECKey.parse(Files.readString(keyFile));
        } catch (ParseException e) {
            throw new IOException("dev issuer key " + keyFile + " is damaged (delete it to start afresh): " + e.getMessage(), e);
        }
        var issuer = new DevIssuer(dir, key);
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        if (!Files.exists(issuer.jwksFile()) || !Files.readString(issuer.jwksFile()).equals(jwks)) {
            Path tmp = Files.createTempFile(dir, "jwks", ".tmp");
            Files.writeString(tmp, jwks);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            move(tmp, issuer.jwksFile());
        }
        return issuer;
    }

    /** The public key set that a {@code jwks-file} issuer entry names. */
    public Path jwksFile() {
        return directory.resolve("jwks.json");
    }

    /** A signed token with the standard claims plus groups, roles (top-level {@code roles}) and scope. */
    public String issue(String subject, List<String> audiences, List<String> groups, List<String> roles,
                        List<String> scopes, Duration ttl, Clock clock) {
        Instant now = clock.instant();
        var claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .audience(audiences)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("azp", CLIENT_ID);
        if (!groups.isEmpty()) {
            claims.claim("groups", groups);
        }
        if (!roles.isEmpty()) {
            claims.claim("roles", roles);
        }
        if (!scopes.isEmpty()) {
            claims.claim("scope", String.join(" ", scopes));
        }
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with the dev issuer key failed", e);
        }
        return jwt.serialize();
    }

    private static ECKey generate() {
        try {
            ECKey generated = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
            return new ECKey.Builder(generated).keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("P-256 key generation is part of every JDK", e);
        }
    }

    /** Written to a mode-600 temp file, then moved into place; a concurrent first use keeps the first key. */
    private static void writePrivately(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, content);
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            // another process created the key first: use theirs
        } finally {
            Files.delete(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
