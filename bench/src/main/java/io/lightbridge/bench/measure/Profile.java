package io.lightbridge.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a server process spends its CPU while it is under load: {@code perf record} on its pid (all threads, the
 * embedded JVM's included), summarised by shared object and symbol. async-profiler is not obtainable here; JIT-
 * compiled Java frames show up as anonymous memory, the kernel, lighttpd and libjvm by name — enough to tell the
 * hand-off cost (wake-ups, syscalls) from Java work.
 */
public final class Profile {

    private Profile() {}

    /** Starts sampling {@code pid} for {@code duration}; {@link Running#report} waits and summarises. */
    public static Running start(long pid, Duration duration, Path dataFile) throws IOException {
        Process p = new ProcessBuilder("perf", "record", "-F", "499", "-g", "-p", Long.toString(pid), "-o",
                dataFile.toString(), "--", "sleep", Long.toString(duration.toSeconds()))
                .redirectErrorStream(true).redirectOutput(dataFile.resolveSibling(dataFile.getFileName() + ".log").toFile())
                .start();
        return new Running(p, dataFile, duration);
    }

    public record Running(Process perf, Path dataFile, Duration duration) {

        /** The top of {@code perf report} (self time by shared object and symbol), or why there is none. */
        public String report(int lines) throws IOException, InterruptedException {
            if (!perf.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
                perf.destroyForcibly();
                return "perf record did not finish";
            }
            if (perf.exitValue() != 0) {
                return "perf record failed (exit " + perf.exitValue() + "), see " + dataFile + ".log";
            }
            Process r = new ProcessBuilder(List.of("perf", "report", "-i", dataFile.toString(), "--stdio",
                    "--no-children", "--sort", "dso,sym", "-g", "none", "--percent-limit", "0.5"))
                    .redirectErrorStream(true).start();
            String out = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            r.waitFor(60, TimeUnit.SECONDS);
            return String.join("\n", out.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).limit(lines).toList());
        }
    }
}
