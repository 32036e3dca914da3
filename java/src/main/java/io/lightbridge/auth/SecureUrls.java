package io.lightbridge.auth;

import java.net.URI;
import java.net.URISyntaxException;

/** Where keys may come from: https anywhere, plain http only on this machine (development, tests). */
final class SecureUrls {
    private SecureUrls() {}

    /** The URL as a URI, or IllegalArgumentException naming {@code key} and why it cannot be trusted. */
    static URI require(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + ": required");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + ": not a URL: " + e.getReason());
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not an absolute URL with a host");
        }
        if (uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(key + ": '" + value + "' must have no user info or fragment");
        }
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("https") || (scheme.equals("http") && isLoopback(uri.getHost()))) {
            return uri;
        }
        throw new IllegalArgumentException(key + ": '" + value + "' must use https (plain http only for loopback hosts)");
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || h.matches("127(\\.\\d{1,3}){3}");
    }
}
