package io.lightbridge.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

/** A JWK set in a local file, read each time nimbus' cache asks; it may appear after start-up. */
final class FileJwkSetSource implements JWKSetSource<SecurityContext> {
    private final Path file;

    FileJwkSetSource(Path file) {
        this.file = file;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        try {
            return JWKSet.parse(Files.readString(file)).toPublicJWKSet();
        } catch (IOException | ParseException e) {
            throw new KeySourceException("cannot read JWK set file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // nothing held open between reads
    }
}
