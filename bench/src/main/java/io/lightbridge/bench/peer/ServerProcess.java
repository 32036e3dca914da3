package io.lightbridge.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server the harness started: output goes to a log file, readiness is a TCP port that accepts, and close
 * sends SIGTERM (then SIGKILL after a grace period) to this process only. Servers still running when the harness
 * JVM exits (Ctrl-C, SIGTERM) are stopped by a shutdown hook, so no run leaves servers behind.
 */
public final class ServerProcess implements AutoCloseable {

    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroy), "stop-peers"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ServerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} and waits until 127.0.0.1:{@code port} accepts connections. */
    public static ServerProcess start(String name, List<String> command, Path workDir, java.util.Map<String, String> env,
                                      int port, Duration readyWithin) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve(name.replaceAll("[^A-Za-z0-9._-]+", "_") + ".log");
        var pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        var server = new ServerProcess(name, pb.start(), log);
        RUNNING.add(server.process);
        server.awaitPort(port, readyWithin);
        return server;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private void awaitPort(int port, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " before it listened on port "
                        + port + "; its log " + log + ":\n" + tail());
            }
            try (var s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IOException(name + " did not listen on port " + port + " within " + within + "; its log " + log
                + ":\n" + tail());
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        RUNNING.remove(process);
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
