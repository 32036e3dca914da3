package io.lightbridge.acl;

import java.util.regex.Pattern;

/** A model-name pattern: {@code *} matches any run of characters, {@code ?} one character. Compiled once. */
record Glob(String text, Pattern pattern) {

    static boolean isGlob(String text) {
        return text.indexOf('*') >= 0 || text.indexOf('?') >= 0;
    }

    static Glob compile(String text) {
        var regex = new StringBuilder();
        var literal = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return new Glob(text, Pattern.compile(regex.toString(), Pattern.DOTALL));
    }

    boolean matches(String name) {
        return pattern.matcher(name).matches();
    }
}
