package io.lightbridge.pipeline;

import java.util.concurrent.ThreadLocalRandom;

/** Takes the client's X-Request-Id when it is sane, or makes one. */
final class RequestIds {
    private static final int MAX_LENGTH = 128;

    private RequestIds() {}

    static String of(Request request) {
        String given = request.header("X-Request-Id");
        return given != null && acceptable(given) ? given : generate();
    }

    private static boolean acceptable(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String generate() {
        var r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }
}
