package io.lightbridge.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.Map;

/**
 * Keys found through OIDC discovery: {@code <issuer>/.well-known/openid-configuration} names the {@code jwks_uri}.
 * Discovery happens on first use, not at start-up, so Lightbridge starts while the IdP is down; a failed
 * discovery is retried by the next fetch nimbus' stack allows.
 */
final class DiscoveredJwkSetSource implements JWKSetSource<SecurityContext> {
    private final String issuer;
    private final ResourceRetriever retriever;
    private volatile URLBasedJWKSetSource<SecurityContext> keys;

    DiscoveredJwkSetSource(String issuer, ResourceRetriever retriever) {
        this.issuer = issuer;
        this.retriever = retriever;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        URLBasedJWKSetSource<SecurityContext> source = keys;
        if (source == null) {
            source = new URLBasedJWKSetSource<>(discoverJwksUri(), retriever);
            keys = source;
        }
        return source.getJWKSet(refreshEvaluator, currentTime, context);
    }

    private URL discoverJwksUri() throws KeySourceException {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        String where = base + "/.well-known/openid-configuration";
        try {
            Map<String, Object> metadata = JSONObjectUtils.parse(retriever.retrieveResource(URI.create(where).toURL()).getContent());
            if (!issuer.equals(metadata.get("issuer"))) {
                throw new KeySourceException("discovery document " + where + " names another issuer");
            }
            if (!(metadata.get("jwks_uri") instanceof String jwksUri)) {
                throw new KeySourceException("discovery document " + where + " has no jwks_uri");
            }
            return SecureUrls.require("jwks_uri", jwksUri).toURL();
        } catch (IOException | ParseException | IllegalArgumentException e) {
            throw new KeySourceException("discovery at " + where + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        var source = keys;
        if (source != null) {
            source.close();
        }
    }
}
