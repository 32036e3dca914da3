package io.lightbridge.cli;

import io.lightbridge.auth.dev.DevIssuer;
import io.lightbridge.config.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lightbridge token --sub alice [--groups a,b] [--roles r] [--scope "s t"] [--aud lightbridge] [--ttl 5m]
 * [--state-dir DIR] [--init]}: prints a token of the development issuer. DEVELOPMENT ONLY.
 */
final class TokenCommand {
    static final String USAGE = """
            usage: lightbridge token --sub NAME [--groups a,b] [--roles r1,r2] [--scope "s1 s2"] [--aud lightbridge]
                                     [--ttl 5m] [--state-dir DIR]
                   lightbridge token --init [--state-dir DIR]   create the key if needed, print the JWK set path
            Development only: the key lives under DIR/dev-issuer/ (default $LIGHTBRIDGE_STATE_DIR or .lightbridge).
            """;

    private TokenCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String sub = null;
        List<String> groups = List.of();
        List<String> roles = List.of();
        List<String> scopes = List.of();
        List<String> audiences = List.of("lightbridge");
        Duration ttl = Duration.ofMinutes(5);
        String env = System.getenv("LIGHTBRIDGE_STATE_DIR");
        Path stateDir = Path.of(env == null || env.isBlank() ? ".lightbridge" : env);
        boolean init = false;
        try {
            for (int i = 0; i < args.size(); i++) {
                String option = args.get(i);
                if (option.equals("--init")) {
                    init = true;
                    continue;
                }
                if (option.equals("-h") || option.equals("--help")) {
                    out.print(USAGE);
                    return 0;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args.get(++i);
                switch (option) {
                    case "--sub" -> sub = value;
                    case "--groups" -> groups = list(value, ",");
                    case "--roles" -> roles = list(value, ",");
                    case "--scope" -> scopes = list(value, "[ ,]");
                    case "--aud" -> audiences = list(value, ",");
                    case "--ttl" -> ttl = Durations.parse(value);
                    case "--state-dir" -> stateDir = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (!init && (sub == null || sub.isBlank())) {
                throw new IllegalArgumentException("--sub is required");
            }
            if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("--ttl must be between 1s and 1h (the default max-token-lifetime)");
            }
            if (audiences.isEmpty()) {
                throw new IllegalArgumentException("--aud needs at least one audience");
            }
        } catch (IllegalArgumentException e) {
            err.println("lightbridge token: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            DevIssuer issuer = DevIssuer.open(stateDir);
            out.println(init ? issuer.jwksFile().toAbsolutePath().toString()
                    : issuer.issue(sub, audiences, groups, roles, scopes, ttl, Clock.systemUTC()));
            return 0;
        } catch (IOException e) {
            err.println("lightbridge token: " + e.getMessage());
            return 1;
        }
    }

    private static List<String> list(String value, String separator) {
        return Arrays.stream(value.split(separator)).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
