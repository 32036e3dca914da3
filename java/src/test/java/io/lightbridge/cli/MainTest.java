package io.lightbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.app.Version;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void versionPrintsTheBuildVersion() {
        assertEquals(0, run("version"));
        assertEquals("lightbridge " + Version.current() + System.lineSeparator(), out.toString());
    }

    @Test
    void anUnknownCommandPrintsUsageAndFails() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err.toString().startsWith("usage: lightbridge <command>"), err.toString());
        assertEquals(2, run());
    }
}
