package io.lightbridge.bench.peer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the five peers on loopback, each in its own processes under {@code workDir}. Every lighttpd peer serves
 * the same document root (so static files can be fetched next to the module's routes) and runs Debian's lighttpd
 * with its defaults plus what the peer needs; every JVM runs with {@link #JVM_OPTIONS}.
 */
public final class Peers {

    /** The routes lighttpd hands to the module (b) or proxies to a backend (c, d). */
    public static final String DYNAMIC_URLS = "^/(v2|invocations|serving-endpoints|metrics|lightbridge)";
    /**
     * The same production settings for the embedded JVM (b) and the Jetty JVM (c, e), the ones ./lightbridge run
     * writes: the serial collector, whose short young pauses beat G1's on 2 cores for this little garbage; a heap
     * that starts at 64 MiB and may grow to 256 MiB. The live set is a few MiB, so the heap stays near its start and
     * load touches only its young generation (a third of it): a fixed -Xms256m heap cost about 40 MiB more RSS for
     * the same GC CPU per request (bench/README.md).
     */
    public static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx256m");
    private static final Duration JVM_READY = Duration.ofSeconds(60);

    private final BenchEnvironment env;
    private final Path workDir;
    private final Path docroot;
    private final List<String> lighttpdSettings;
    private int serial;

    public Peers(BenchEnvironment env, Path workDir) throws IOException {
        this(env, workDir, List.of());
    }

    /**
     * @param lighttpdSettings global lines added to every lighttpd config of these peers, where a scenario needs
     *                         more than lighttpd's defaults (e.g. connection limits for overload); the peers'
     *                         settings in the report list them
     */
    public Peers(BenchEnvironment env, Path workDir, List<String> lighttpdSettings) throws IOException {
        this.env = env;
        this.workDir = Files.createDirectories(workDir);
        this.docroot = Files.createDirectories(workDir.resolve("docroot"));
        this.lighttpdSettings = List.copyOf(lighttpdSettings);
    }

    /** How the report describes these peers' lighttpd: its defaults, plus the scenario's settings if any. */
    private String lighttpdDefaults() {
        return lighttpdSettings.isEmpty() ? "lighttpd defaults"
                : "lighttpd defaults + " + String.join(", ", lighttpdSettings);
    }

    /** Writes a file every lighttpd peer serves as /{@code name}. */
    public void staticFile(String name, byte[] content) throws IOException {
        Files.write(docroot.resolve(name), content);
    }

    /** (a) lighttpd serving static files: the floor. */
    public Peer staticLighttpd() throws IOException, InterruptedException {
        int port = freePort();
        var lighttpd = lighttpd("a-lighttpd", port, List.of(), "", Path.of("/usr/lib/lighttpd"));
        return new Peer("a", "lighttpd static", "127.0.0.1", port, List.of(lighttpd),
                List.of(lighttpdDefaults() + ", static file from the document root"));
    }

    /** (b) lighttpd + mod_lightbridge with the given Lightbridge config. */
    public Peer lightbridge(Path config) throws IOException, InterruptedException {
        env.requireModule();
        int port = freePort();
        Path modules = Files.createDirectories(workDir.resolve("modules-" + (++serial)));
        try (var debian = Files.list(Path.of("/usr/lib/lighttpd"))) {
            for (Path so : debian.toList()) {
                Files.deleteIfExists(modules.resolve(so.getFileName()));
                Files.createSymbolicLink(modules.resolve(so.getFileName()), so);
            }
        }
        Files.deleteIfExists(modules.resolve("mod_lightbridge.so"));
        Files.createSymbolicLink(modules.resolve("mod_lightbridge.so"), env.moduleFile());
        String conf = """
                lightbridge.java-home = "%s"
                lightbridge.jar = "%s"
                lightbridge.config = "%s"
                lightbridge.jvm-options = ( %s )
                $HTTP["url"] =~ "%s" { lightbridge.activate = "enable" }
                """.formatted(env.javaHome(), env.lightbridgeJar(), config.toAbsolutePath(), quoted(JVM_OPTIONS),
                DYNAMIC_URLS);
        var lighttpd = lighttpd("b-lighttpd", port, List.of("mod_lightbridge"), conf, modules);
        return new Peer("b", "lighttpd + mod_lightbridge", "127.0.0.1", port, List.of(lighttpd),
                List.of(lighttpdDefaults() + " + mod_lightbridge, embedded JVM options " + JVM_OPTIONS,
                        "Lightbridge config " + config.getFileName() + " (server section at its defaults unless the"
                                + " scenario says otherwise: 16 workers, queue 256, deadline 50 ms)"));
    }

    /** (c) lighttpd mod_proxy → the pipeline in Jetty, in a separate JVM. */
    public Peer jettyBehindLighttpd(Path config) throws IOException, InterruptedException {
        var jetty = jettyProcess("c-jetty", config);
        int port = freePort();
        var lighttpd = lighttpd("c-lighttpd", port, List.of("mod_proxy"), proxyTo(jetty.port()), Path.of("/usr/lib/lighttpd"));
        return new Peer("c", "lighttpd → Jetty", "127.0.0.1", port, List.of(lighttpd, jetty.process()),
                List.of(lighttpdDefaults() + " + mod_proxy (new backend connection per request, Connection: close)",
                        jettySettings()));
    }

    /** (d) lighttpd mod_proxy → Node.js (fastify + onnxruntime-node + jose). */
    public Peer nodeBehindLighttpd(Path nodeConfig) throws IOException, InterruptedException {
        env.requireNodePeer();
        int nodePort = freePort();
        var node = ServerProcess.start("d-node", List.of("node", env.nodePeerDir().resolve("server.js").toString(),
                        nodeConfig.toAbsolutePath().toString(), Integer.toString(nodePort)),
                workDir, Map.of("NODE_ENV", "production"), nodePort, Duration.ofSeconds(30));
        int port = freePort();
        var lighttpd = lighttpd("d-lighttpd", port, List.of("mod_proxy"), proxyTo(nodePort), Path.of("/usr/lib/lighttpd"));
        return new Peer("d", "lighttpd → Node.js", "127.0.0.1", port, List.of(lighttpd, node),
                List.of(lighttpdDefaults() + " + mod_proxy (new backend connection per request, Connection: close)",
                        "Node.js " + Versions.node() + ", one process, NODE_ENV=production, fastify defaults"));
    }

    /** (e) the Jetty server of (c), without lighttpd. */
    public Peer jetty(Path config) throws IOException, InterruptedException {
        var jetty = jettyProcess("e-jetty", config);
        return new Peer("e", "Jetty alone", "127.0.0.1", jetty.port(), List.of(jetty.process()), List.of(jettySettings()));
    }

    private record Backend(ServerProcess process, int port) {}

    private Backend jettyProcess(String name, Path config) throws IOException, InterruptedException {
        int port = freePort();
        var command = new ArrayList<String>();
        command.add(env.javaHome().resolve("bin/java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of("-cp", env.classpath(), JettyPeerMain.class.getName(),
                config.toAbsolutePath().toString(), Integer.toString(port)));
        return new Backend(ServerProcess.start(name, command, workDir, Map.of(), port, JVM_READY), port);
    }

    private static String jettySettings() {
        return "Jetty " + Versions.jetty() + " core Handler API, QueuedThreadPool(" + JettyPeer.MAX_THREADS + ", "
                + JettyPeer.MIN_THREADS + "), JVM options " + JVM_OPTIONS;
    }

    private static String proxyTo(int backendPort) {
        return """
                $HTTP["url"] =~ "%s" { proxy.server = ( "" => ( ( "host" => "127.0.0.1", "port" => %d ) ) ) }
                """.formatted(DYNAMIC_URLS, backendPort);
    }

    private ServerProcess lighttpd(String name, int port, List<String> modules, String extra, Path moduleDir)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(workDir.resolve(name + "-" + (++serial)));
        String conf = """
                server.document-root = "%s"
                server.bind = "127.0.0.1"
                server.port = %d
                server.errorlog = "%s"
                server.modules = ( %s )
                mimetype.assign = ( ".json" => "application/json" )
                %s
                %s""".formatted(docroot, port, dir.resolve("error.log"), quoted(modules),
                String.join("\n", lighttpdSettings), extra);
        Path file = Files.writeString(dir.resolve("lighttpd.conf"), conf);
        return ServerProcess.start(name, List.of("lighttpd", "-D", "-f", file.toString(), "-m", moduleDir.toString()),
                dir, Map.of(), port, JVM_READY);
    }

    private static String quoted(List<String> values) {
        return String.join(", ", values.stream().map(v -> "\"" + v + "\"").toList());
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
