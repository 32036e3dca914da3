package io.lightbridge.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Claim look-up by name or dotted path ({@code realm_access.roles}). A claim whose full name contains dots
 * ({@code https://example.com/roles}) is found by its full name first.
 */
final class ClaimPaths {
    private ClaimPaths() {}

    /** The value at {@code path}, or null. */
    static Object find(Map<String, Object> claims, String path) {
        Object direct = claims.get(path);
        if (direct != null || path.indexOf('.') < 0) {
            return direct;
        }
        Object current = claims;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    /**
     * The strings at {@code path}: an array's string elements, or a single string — split on spaces when
     * {@code spaceSeparated} (OAuth's {@code scope}). Empty when absent or of another type.
     */
    static List<String> strings(Map<String, Object> claims, String path, boolean spaceSeparated) {
        Object value = find(claims, path);
        if (value instanceof String s) {
            if (!spaceSeparated) {
                return s.isEmpty() ? List.of() : List.of(s);
            }
            return words(s);
        }
        if (value instanceof Collection<?> values) {
            var out = new ArrayList<String>(values.size());
            for (Object v : values) {
                if (v instanceof String s && !s.isEmpty()) {
                    out.add(s);
                }
            }
            return out;
        }
        return List.of();
    }

    /** The words of {@code s}, split on the characters of the regex {@code \s} (OAuth scopes are space-separated). */
    private static List<String> words(String s) {
        var words = new ArrayList<String>();
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || isSpace(s.charAt(i))) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        return words;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** The first string found at any of {@code paths}, or null. */
    static String firstString(Map<String, Object> claims, List<String> paths) {
        for (String path : paths) {
            if (find(claims, path) instanceof String s && !s.isEmpty()) {
                return s;
            }
        }
        return null;
    }

    /**
     * The claims as the ACL sees them: strings, or lists of strings; nested objects flattened to dotted names
     * ({@code realm_access.roles}); numbers and booleans as text.
     */
    static Map<String, Object> flatten(Map<String, Object> claims) {
        var out = new HashMap<String, Object>();
        flatten("", claims, out);
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (var entry : map.entrySet()) {
            String name = prefix.isEmpty() ? String.valueOf(entry.getKey()) : prefix + entry.getKey();
            switch (entry.getValue()) {
                case null -> { }
                case Map<?, ?> nested -> flatten(name + ".", nested, out);
                case Collection<?> values -> out.put(name, texts(values));
                case Object value -> out.put(name, text(value));
            }
        }
    }

    private static List<String> texts(Collection<?> values) {
        var out = new ArrayList<String>(values.size());
        for (Object value : values) {
            if (value != null) {
                out.add(text(value));
            }
        }
        return List.copyOf(out);
    }

    private static String text(Object value) {
        return value instanceof java.util.Date d ? Long.toString(d.getTime() / 1000) : String.valueOf(value);
    }
}
