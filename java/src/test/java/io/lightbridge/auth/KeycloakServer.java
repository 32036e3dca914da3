package io.lightbridge.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Keycloak (the Maven Central distribution) in dev mode on loopback, with the test realm imported.
 * The unzipped distribution is kept in {@code ~/.cache/lightbridge/} (it holds Keycloak's one-time Quarkus
 * build); its database is wiped before every start so each run begins from the realm file. A file lock makes
 * concurrent test runs on one machine take turns with the shared installation instead of corrupting it.
 */
final class KeycloakServer implements AutoCloseable {
    static final String VERSION = "26.4.5";
    static final String REALM = "lightbridge";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final FileChannel lock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private KeycloakServer(Process process, int port, FileChannel lock) {
        this.process = process;
        this.port = port;
        this.lock = lock;
    }

    static KeycloakServer start(Path distZip, Path logFile) throws Exception {
        Path cache = Files.createDirectories(Path.of(System.getProperty("user.home"), ".cache", "lightbridge"));
        FileChannel lock = FileChannel.open(cache.resolve("keycloak-" + VERSION + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock.lock(); // released when the channel closes, in close()
        Path home = unpacked(distZip);
        deleteTree(home.resolve("data"));
        Path imports = Files.createDirectories(home.resolve("data/import"));
        try (InputStream realm = KeycloakServer.class.getResourceAsStream("/keycloak/lightbridge-realm.json")) {
            Files.copy(realm, imports.resolve("lightbridge-realm.json"));
        }
        int port = freePort();
        int management = freePort();
        var builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + management,
                "--health-enabled=true", "--import-realm")
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
        builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        var server = new KeycloakServer(builder.start(), port, lock);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitReady(management, Duration.ofMinutes(4), logFile);
        return server;
    }

    String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    /** A client-credentials access token (a service principal). */
    String clientCredentialsToken(String clientId, String secret) throws Exception {
        return token(REALM, Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
    }

    /** A user's access token through the password grant. */
    String passwordToken(String clientId, String secret, String user, String password) throws Exception {
        return token(REALM, Map.of("grant_type", "password", "client_id", clientId, "client_secret", secret,
                "username", user, "password", password, "scope", "openid"));
    }

    /** The admin REST API, authenticated as the bootstrap admin; returns the parsed body (or null). */
    JsonNode admin(String method, String path, Object body) throws Exception {
        String adminToken = token("master", Map.of("grant_type", "password", "client_id", "admin-cli",
                "username", "admin", "password", "admin"));
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/realms/" + REALM + path))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .timeout(Duration.ofSeconds(10))
                .build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body().isBlank() ? null : JSON.readTree(response.body());
    }

    private String token(String realm, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/realms/" + realm
                        + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10))
                .build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("token request -> " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    private void awaitReady(int management, Duration timeout, Path logFile) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        var ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException("Keycloak not ready within " + timeout + "; see " + logFile);
    }

    /** Stops Keycloak and every process it started; idempotent. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            lock.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Unzips the distribution once into the user's cache; a marker file tells a complete unzip. */
    private static Path unpacked(Path zip) throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "lightbridge");
        Path home = cache.resolve("keycloak-" + VERSION);
        if (Files.exists(home.resolve(".unpacked"))) {
            return home;
        }
        deleteTree(home);
        Path staging = Files.createDirectories(cache).resolve("keycloak-" + VERSION + ".staging");
        deleteTree(staging);
        try (var in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path target = staging.resolve(entry.getName()).normalize();
                if (!target.startsWith(staging)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path top = staging.resolve("keycloak-" + VERSION);
        try (Stream<Path> scripts = Files.list(top.resolve("bin"))) {
            scripts.filter(p -> p.toString().endsWith(".sh")).forEach(p -> p.toFile().setExecutable(true));
        }
        Files.move(top, home);
        deleteTree(staging);
        Files.createFile(home.resolve(".unpacked"));
        return home;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
