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
        if (args.length >= 1 && args[0].equals("token")) {
            return TokenCommand.run(Arrays.asList(args).subList(1, args.length), out, err);
        }
        err.println("usage: lightbridge <command>");
        err.println("  token      DEVELOPMENT ONLY: print a token of the local dev issuer (token --help)");
        return 2;
    }
}
