package io.lightbridge.config;

import java.time.Duration;
import java.util.regex.Pattern;

/** Parses "250us", "50ms", "60s", "5m", "1h", "1d" and ISO-8601 durations. */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(us|ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected a duration such as 50ms, 60s, 5m or 1h");
        }
        var m = SHORT.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "us" -> Duration.ofNanos(n * 1_000);
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (use 50ms, 60s, 5m, 1h)");
        }
    }
}
