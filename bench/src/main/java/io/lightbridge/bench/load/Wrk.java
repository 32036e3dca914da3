package io.lightbridge.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop peak throughput with wrk: {@code connections} connections, each sending its next request as soon
 * as the previous answer arrives. One wrk thread, so the client takes one of the two cores at most; the request
 * shape (method, body, headers, tokens) comes from files that {@code load.lua} reads.
 */
public final class Wrk {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path workDir;
    private final Path script;

    public Wrk(Path workDir) throws IOException {
        this.workDir = Files.createDirectories(workDir);
        this.script = workDir.resolve("load.lua");
        try (InputStream in = Wrk.class.getResourceAsStream("/io/lightbridge/bench/load.lua")) {
            Files.write(script, in.readAllBytes());
        }
    }

    public LoadResult run(Target target, int connections, Duration duration, Duration timeout)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(workDir.resolve(safe(target.label())));
        var command = List.of("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
                "--timeout", timeout.toSeconds() + "s", "-s", script.toString(), target.url());
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("LB_METHOD", target.method());
        env.put("LB_BODY_FILE", target.body().length == 0 ? "" : write(dir.resolve("body"), target.body()).toString());
        env.put("LB_HEADERS_FILE", target.headers().isEmpty() ? "" : write(dir.resolve("headers"), headerLines(target)).toString());
        env.put("LB_TOKENS_FILE", target.tokens().isEmpty() ? ""
                : write(dir.resolve("tokens"), (String.join("\n", target.tokens()) + "\n").getBytes(StandardCharsets.US_ASCII)).toString());
        Process p = pb.start();
        Thread stop = new Thread(p::destroy, "stop-wrk");
        Runtime.getRuntime().addShutdownHook(stop);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(duration.toSeconds() + timeout.toSeconds() + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("wrk did not finish: " + String.join(" ", command));
        }
        Runtime.getRuntime().removeShutdownHook(stop);
        Files.writeString(dir.resolve("wrk-c" + connections + ".out"), out);
        String json = out.lines().filter(l -> l.startsWith("LBJSON ")).findFirst()
                .orElseThrow(() -> new IOException("wrk printed no summary (exit " + p.exitValue() + "): " + out.strip()))
                .substring(7);
        return parse(target.label(), connections, JSON.readTree(json));
    }

    private static LoadResult parse(String label, int connections, JsonNode n) {
        double seconds = n.get("duration_us").asLong() / 1e6;
        JsonNode e = n.get("errors");
        long ioErrors = e.get("connect").asLong() + e.get("read").asLong() + e.get("write").asLong()
                + e.get("timeout").asLong();
        var statuses = new TreeMap<String, Long>();
        n.get("statuses").properties().forEach(s -> statuses.put(s.getKey(), s.getValue().asLong()));
        if (ioErrors > 0) {
            statuses.put("io-error", ioErrors);
        }
        long ok = statuses.entrySet().stream().filter(s -> s.getKey().startsWith("2")).mapToLong(Map.Entry::getValue).sum();
        JsonNode l = n.get("latency_us");
        var latency = new Latency(l.get("p50").asDouble(), l.get("p90").asDouble(), l.get("p99").asDouble(),
                l.get("p99.9").asDouble(), l.get("max").asDouble(), l.get("mean").asDouble());
        return new LoadResult(label, "closed", connections, 0, seconds, ok / seconds, latency, null,
                null, null, Map.of(), statuses, 0, 0, null);
    }

    private static byte[] headerLines(Target target) {
        var lines = new ArrayList<String>();
        for (int i = 0; i < target.headers().size(); i += 2) {
            lines.add(target.headers().get(i) + ": " + target.headers().get(i + 1));
        }
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }

    public static String safe(String label) {
        return label.replaceAll("[^A-Za-z0-9._-]+", "_");
    }
}
