package io.lightbridge.cli;

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
        if (args.length >= 1 && args[0].equals("verify-audit")) {
            return VerifyAudit.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        err.println("usage: lightbridge <command>");
        err.println("  verify-audit FILE...   check audit files' hash chain and checkpoint; names the first break");
        return 2;
    }
}
