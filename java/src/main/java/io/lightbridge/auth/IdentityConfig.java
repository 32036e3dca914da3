package io.lightbridge.auth;

import java.util.HashSet;
import java.util.List;

/**
 * The {@code identity} section: the token issuers Lightbridge trusts and the validated-token cache.
 * Bound by {@code ConfigFile.section("identity", IdentityConfig.class, IdentityConfig.NONE)}.
 *
 * @param issuers          one entry per trusted issuer; a token's {@code iss} selects exactly one
 * @param tokenCacheSize   how many validated tokens are remembered (each at most until its {@code exp})
 */
public record IdentityConfig(List<IssuerConfig> issuers, Integer tokenCacheSize) {

    /** No section: no issuer is trusted, so every guarded request is refused. */
    public static final IdentityConfig NONE = new IdentityConfig(List.of(), null);

    public IdentityConfig {
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        tokenCacheSize = tokenCacheSize == null ? 100_000 : tokenCacheSize;
        if (tokenCacheSize < 0) {
            throw new IllegalArgumentException("token-cache-size: must be 0 (off) or more");
        }
        var seen = new HashSet<String>();
        for (IssuerConfig issuer : issuers) {
            if (!seen.add(issuer.issuer())) {
                throw new IllegalArgumentException("issuers: issuer " + issuer.issuer() + " is configured twice");
            }
        }
    }
}
