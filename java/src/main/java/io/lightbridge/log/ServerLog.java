package io.lightbridge.log;

import java.util.function.Consumer;

/**
 * Where the components tell the server's administrators what happened (lighttpd's error log under mod_lightbridge),
 * each line with its severity, so that an admin scanning for errors sees only what needs a look.
 * <ul>
 *   <li>{@link #info}: something changed as intended (a model or policy loaded, a file rotated, a sink recovered);</li>
 *   <li>{@link #warn}: trouble Lightbridge works around and keeps serving through (a rejected reload keeps the old
 *       policy, a JWKS fetch failed, a syslog sink is down while the file keeps the records);</li>
 *   <li>{@link #error}: a request, a model version or the audit trail failed (calls are answered 5xx or refused).</li>
 * </ul>
 */
@FunctionalInterface
public interface ServerLog {

    enum Level { INFO, WARN, ERROR }

    /** Discards every line: benchmarks, and tests that assert on something else. */
    ServerLog NONE = (level, message) -> { };

    void log(Level level, String message);

    default void info(String message) {
        log(Level.INFO, message);
    }

    default void warn(String message) {
        log(Level.WARN, message);
    }

    default void error(String message) {
        log(Level.ERROR, message);
    }

    /**
     * Each line as {@code "LEVEL message"} to {@code lines}: {@code ServerLog.lines(System.err::println)} outside a
     * server, {@code ServerLog.lines(list::add)} in tests.
     */
    static ServerLog lines(Consumer<String> lines) {
        return (level, message) -> lines.accept(level + " " + message);
    }
}
