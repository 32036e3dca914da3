package io.lightbridge.cli;

import java.util.Arrays;
import java.util.List;

/** {@code java -jar lightbridge.jar <command>}: the Java side of the {@code ./lightbridge} front door. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        int status = switch (args.length == 0 ? "" : args[0]) {
            case "token" -> TokenCommand.run(rest, System.out, System.err);
            default -> {
                System.err.println("usage: java -jar lightbridge.jar token ...");
                yield 2;
            }
        };
        System.exit(status);
    }
}
