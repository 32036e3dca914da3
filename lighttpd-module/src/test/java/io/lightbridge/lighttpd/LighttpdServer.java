package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Debian's real /usr/sbin/lighttpd in the foreground (-D) with the freshly built mod_lightbridge
 * (-m), on a free loopback port, with a generated lighttpd.conf and Lightbridge YAML config.
 * When the module is the ASan+UBSan build, the ASan runtime is preloaded and the server's stderr
 * is checked for sanitizer reports on close.
 */
final class LighttpdServer implements AutoCloseable {

    static final Path LIGHTTPD = Path.of("/usr/sbin/lighttpd");
    static final Path MODULE_DIR = Path.of(required("lightbridge.module.dir"));
    static final Path JAR = Path.of(required("lightbridge.jar"));
    static final Path JAVA_HOME = Path.of(required("lightbridge.java.home"));
    static final boolean SANITIZED = Boolean.getBoolean("lightbridge.sanitized");
    private static final Path WORK = Path.of(required("lightbridge.work.dir"));
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Pattern SANITIZER_REPORT =
            Pattern.compile("ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer");

    /** The Lightbridge YAML `server:` section most tests use: diagnostics on, a queue deep enough for 1,000. */
    static final String DEFAULT_SERVER_YAML = """
            server:
              diagnostics: true
              workers: 4
              queue-capacity: 4096
            """;

    private final Path dir;
    private final int port;
    private final Process process;
    private final HttpClient client;
    private final boolean supervisor;

    private LighttpdServer(Path dir, int port, Process process, boolean supervisor) {
        this.supervisor = supervisor;
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    static Config config(String name) {
        Map<String, String> directives = new LinkedHashMap<>();
        directives.put("lightbridge.java-home", quoted(JAVA_HOME.toString()));
        directives.put("lightbridge.jar", quoted(JAR.toString()));
        directives.put("lightbridge.config", quoted(CONFIG_DIR + "/lightbridge.yaml"));
        directives.put("lightbridge.max-request-body", "1048576");
        directives.put("lightbridge.deadline-ms", "10000");
        return new Config(name, DEFAULT_SERVER_YAML, directives, "", 0);
    }

    /** Stands for the server's own directory in directive values. */
    static final String CONFIG_DIR = "${dir}";

    static String quoted(String value) {
        return "\"" + value + "\"";
    }

    /**
     * What a test may vary: the YAML server section, the server-wide lightbridge.* directives (value as written
     * in lighttpd.conf; null removes one), extra lighttpd.conf lines, server.max-worker.
     */
    record Config(String name, String serverYaml, Map<String, String> directives, String extraConf, int maxWorker) {
        Config serverYaml(String yaml) { return new Config(name, yaml, directives, extraConf, maxWorker); }
        Config extraConf(String conf) { return new Config(name, serverYaml, directives, extraConf + conf + "\n", maxWorker); }
        Config maxWorker(int n) { return new Config(name, serverYaml, directives, extraConf, n); }

        Config directive(String key, String value) {
            Map<String, String> changed = new LinkedHashMap<>(directives);
            if (value == null) changed.remove(key); else changed.put(key, value);
            return new Config(name, serverYaml, changed, extraConf, maxWorker);
        }

        /** Starts lighttpd and waits until the module answers /v2/health/live. */
        LighttpdServer start() throws Exception {
            Prepared prepared = prepare();
            LighttpdServer server = new LighttpdServer(prepared.dir, prepared.port, prepared.launch("-D"), maxWorker > 0);
            server.awaitReady();
            return server;
        }

        /** Runs lighttpd with these arguments (e.g. -tt, or -D for a start that must fail) to its exit. */
        Finished runToExit(String... args) throws Exception {
            Prepared prepared = prepare();
            Process process = prepared.launch(args);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail("lighttpd " + String.join(" ", args) + " did not exit within 60 s");
            }
            return new Finished(process.exitValue(), prepared.dir);
        }

        private Prepared prepare() throws IOException {
            Path dir = WORK.resolve(name + "-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet());
            Files.createDirectories(dir.resolve("htdocs"));
            Files.writeString(dir.resolve("htdocs/static.json"), STATIC_BODY);
            Files.writeString(dir.resolve("lightbridge.yaml"), serverYaml);
            int port = freePort();
            Files.writeString(dir.resolve("lighttpd.conf"), lighttpdConf(dir, port));
            return new Prepared(dir, port);
        }

        private String lighttpdConf(Path dir, int port) {
            StringBuilder conf = new StringBuilder("""
                    server.document-root = "%1$s/htdocs"
                    server.bind = "127.0.0.1"
                    server.port = %2$d
                    server.errorlog = "%1$s/error.log"
                    server.max-fds = 8192
                    server.max-connections = 4096
                    server.max-worker = %3$d
                    mimetype.assign = ( ".json" => "application/json" )
                    server.modules += ( "mod_lightbridge" )
                    $HTTP["url"] =~ "^/(v2|lightbridge)(/|$)" { lightbridge.activate = "enable" }
                    $HTTP["querystring"] =~ "(^|&)deadline=tight(&|$)" { lightbridge.deadline-ms = 50 }
                    """.formatted(dir, port, maxWorker));
            directives.forEach((key, value) ->
                    conf.append(key).append(" = ").append(value.replace(CONFIG_DIR, dir.toString())).append('\n'));
            return conf.append(extraConf).toString();
        }
    }

    static final String STATIC_BODY = "{\"static\":true}\n";

    record Finished(int exitCode, Path dir) {
        String errorLog() { return read(dir.resolve("error.log")); }
        String stderr() { return read(dir.resolve("stderr.log")); }
    }

    private record Prepared(Path dir, int port) {
        Process launch(String... args) throws IOException {
            // its own session: with server.max-worker the supervisor signals its whole process group (kill(0, …))
            List<String> command = new ArrayList<>(List.of("setsid", LIGHTTPD.toString()));
            command.addAll(List.of(args));
            command.addAll(List.of("-m", MODULE_DIR.toString(), "-f", dir.resolve("lighttpd.conf").toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .redirectError(dir.resolve("stderr.log").toFile());
            if (SANITIZED) builder.environment().putAll(sanitizerEnvironment());
            return builder.start();
        }
    }

    private static Map<String, String> sanitizerEnvironment() throws IOException {
        return Map.of(
                // lighttpd is not instrumented: the ASan runtime must come first in the process
                "LD_PRELOAD", asanRuntime(),
                // HotSpot uses SIGSEGV on purpose; its own allocations drown leak checks at exit
                "ASAN_OPTIONS", "handle_segv=0:allow_user_segv_handler=1:detect_leaks=0",
                "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
    }

    private static String asanRuntime() throws IOException {
        Process gcc = new ProcessBuilder("gcc", "-print-file-name=libasan.so").start();
        String path = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!Files.exists(Path.of(path))) throw new IOException("no libasan.so (gcc said: " + path + ")");
        return path;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                fail("lighttpd exited with " + process.exitValue() + " during start-up:\n" + errorLog() + stderr());
            try {
                if (get("/v2/health/live").statusCode() == 200) {
                assertLoadedAsIntended();
                return;
            }
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        fail("lighttpd did not answer /v2/health/live within 60 s:\n" + errorLog());
    }

    /** The module under test is the one mapped, and the sanitized pass really runs with the ASan runtime. */
    private void assertLoadedAsIntended() throws IOException {
        long process = supervisor ? workerPids().getFirst() : pid();
        String maps = read(Path.of("/proc/" + process + "/maps"));
        assertTrue(maps.contains(MODULE_DIR.resolve("mod_lightbridge.so").toString()), "module not from " + MODULE_DIR);
        assertEquals(SANITIZED, maps.contains("libasan"), "ASan runtime mapped");
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    int port() {
        return port;
    }

    HttpClient client() {
        return client;
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String pathAndQuery, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    long pid() {
        return process.pid();
    }

    /** Worker processes under server.max-worker (children of the supervisor). */
    List<Long> workerPids() throws IOException {
        String children = read(Path.of("/proc/" + pid() + "/task/" + pid() + "/children")).strip();
        return children.isEmpty() ? List.of() : Pattern.compile(" ").splitAsStream(children).map(Long::valueOf).toList();
    }

    static int fdCount(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        }
    }

    static int threadCount(long pid) throws IOException {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return (int) tasks.count();
        }
    }

    /** CPU time (user + system, in clock ticks) of the process' main thread: lighttpd's event loop. */
    static long eventLoopCpuTicks(long pid) {
        String stat = read(Path.of("/proc/" + pid + "/task/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime and stime: fields 14 and 15 of stat
    }

    static boolean hostsJvm(long pid) throws IOException {
        return read(Path.of("/proc/" + pid + "/maps")).contains("libjvm.so");
    }

    void signal(String name) throws Exception {
        signal(name, pid());
    }

    static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String errorLog() {
        return read(dir.resolve("error.log"));
    }

    String stderr() {
        return read(dir.resolve("stderr.log"));
    }

    Path dir() {
        return dir;
    }

    /**
     * SIGTERM; lighttpd must stop on its own (not die of a signal) and say so in its error log. Returns the exit
     * code: lighttpd exits 1 rather than 0 when client connections were still open at SIGTERM.
     */
    int stop() throws Exception {
        if (process.isAlive()) signal("TERM");
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail("lighttpd did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash would: no orderly stop, nothing flushed. Returns once the process is gone. */
    void kill() throws Exception {
        signal("KILL");
        if (!process.waitFor(30, TimeUnit.SECONDS)) fail("lighttpd still running 30 s after SIGKILL");
        client.close();
    }

    @Override
    public void close() throws Exception {
        client.close();
        int exit = stop();
        assertFalse(SANITIZER_REPORT.matcher(stderr()).find(), () -> "sanitizer report:\n" + stderr());
        assertStoppedCleanly(exit);
    }

    void assertStoppedCleanly(int exit) {
        assertTrue(exit == 0 || exit == 1, () -> "lighttpd exit code " + exit + "; error log:\n" + errorLog());
        if (!supervisor) // a server.max-worker supervisor signals its workers and leaves without a log line
            assertTrue(errorLog().contains("server stopped by"), () -> "no orderly stop in the error log:\n" + errorLog());
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) throw new IllegalStateException("system property " + property + " is not set (run through Maven)");
        return value;
    }
}
