package io.lightbridge.cli;

import io.lightbridge.app.Version;
import java.io.PrintStream;

/** The jar's command line: {@code java -jar lightbridge.jar <command>}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the process exit code (0 ok, 2 usage error). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && args[0].equals("version")) {
            out.println("lightbridge " + Version.current());
            return 0;
        }
        err.println("usage: lightbridge <command>");
        err.println("  version    print this build's version");
        return 2;
    }
}
