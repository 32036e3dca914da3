package io.lightbridge.bench.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** The versions and machine facts a report must name, read from the tools themselves. */
public final class Versions {

    private Versions() {}

    public static String lighttpd() {
        return firstLine(List.of("lighttpd", "-v"));
    }

    public static String node() {
        return firstLine(List.of("node", "--version"));
    }

    public static String wrk() {
        return firstLine(List.of("wrk", "--version"));
    }

    public static String jetty() {
        return org.eclipse.jetty.util.Jetty.VERSION;
    }

    /** The ONNX Runtime jar on the class path, as Maven named it. */
    public static String onnxRuntimeJava() {
        var m = Pattern.compile("onnxruntime-([0-9][^/:]*)\\.jar").matcher(System.getProperty("java.class.path"));
        return m.find() ? m.group(1) : "not on the class path";
    }

    /** Versions of the npm packages the Node peer resolved, from its package-lock.json. */
    public static Map<String, String> nodePackages(Path nodePeerDir) {
        var out = new LinkedHashMap<String, String>();
        Path lock = nodePeerDir.resolve("package-lock.json");
        try {
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lock.toFile()).path("packages");
            for (String name : List.of("fastify", "jose", "onnxruntime-node")) {
                out.put(name, tree.path("node_modules/" + name).path("version").asText("missing"));
            }
        } catch (IOException e) {
            out.put("package-lock.json", "unreadable: " + e.getMessage());
        }
        return out;
    }

    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String kernel() {
        return firstLine(List.of("uname", "-sr"));
    }

    static String firstLine(List<String> command) {
        return firstLineIn(Path.of("."), command);
    }

    /** The first line {@code command} prints when run in {@code dir}; empty when it prints nothing. */
    public static String firstLineIn(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("").trim();
        } catch (IOException | InterruptedException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
