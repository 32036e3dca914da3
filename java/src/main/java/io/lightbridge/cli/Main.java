package io.lightbridge.cli;

import java.util.Arrays;

/** {@code java -jar lightbridge.jar <command> ...}: the Java side of the ./lightbridge front door. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        int status = switch (command) {
            case "verify-audit" -> VerifyAudit.run(rest, System.out, System.err);
            default -> {
                System.err.println("usage: java -jar lightbridge.jar verify-audit FILE...");
                yield 2;
            }
        };
        System.exit(status);
    }
}
