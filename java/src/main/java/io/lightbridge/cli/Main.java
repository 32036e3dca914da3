package io.lightbridge.cli;

import io.lightbridge.app.Version;
import java.io.PrintStream;
import java.util.Arrays;

/** The jar's command line: {@code java -jar lightbridge.jar <command>}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the process exit code (0 ok, 1 failed, 2 usage error). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "version" -> {
                out.println("lightbridge " + Version.current());
                return 0;
            }
            case "token" -> {
                return TokenCommand.run(Arrays.asList(rest), out, err);
            }
            case "verify-audit" -> {
                return VerifyAudit.run(rest, out, err);
            }
            default -> {
                err.println("usage: lightbridge <command>");
                err.println("  version                print this build's version");
                err.println("  token                  DEVELOPMENT ONLY: print a token of the local dev issuer (token --help)");
                err.println("  verify-audit FILE...   check audit files' hash chain and checkpoint; names the first break");
                return 2;
            }
        }
    }
}
