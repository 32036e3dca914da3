package io.lightbridge.cli;

import java.io.PrintStream;
import java.util.stream.Stream;

/** Runs the jar's command line in-process for tests in other packages (Main.run without System.exit). */
public final class CommandLine {
    private CommandLine() {}

    public static int run(PrintStream outAndErr, String command, String... args) {
        String[] all = Stream.concat(Stream.of(command), Stream.of(args)).toArray(String[]::new);
        return Main.run(all, outAndErr, outAndErr);
    }
}
