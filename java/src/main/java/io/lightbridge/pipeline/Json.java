package io.lightbridge.pipeline;

/** The one JSON string escaper for hand-built bodies on hot paths. */
public final class Json {
    private Json() {}

    public static String quote(String s) {
        if (plain(s)) {
            return "\"" + s + "\""; // names and versions: nothing to escape, one allocation
        }
        return appendQuoted(new StringBuilder(s.length() + 8), s).toString();
    }

    /** As {@link #quote}, onto {@code sb}: a body being built needs no intermediate string. */
    public static StringBuilder appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        if (plain(s)) {
            return sb.append(s).append('"');
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
