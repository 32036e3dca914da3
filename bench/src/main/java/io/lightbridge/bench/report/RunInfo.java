package io.lightbridge.bench.report;

import io.lightbridge.bench.Options;
import io.lightbridge.bench.peer.BenchEnvironment;
import io.lightbridge.bench.peer.Versions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a reader needs to trust and repeat a run: when, on what, with which versions, by which command. */
public record RunInfo(Instant started, String command, String gitCommit, String cpu, int cores, String kernel,
                      Map<String, String> versions, Options options) {

    public static RunInfo collect(Options options, BenchEnvironment env, String command) {
        var versions = new LinkedHashMap<String, String>();
        versions.put("lighttpd", Versions.lighttpd());
        versions.put("JDK", Runtime.version().toString() + " (" + System.getProperty("java.vendor") + ", " + env.javaHome() + ")");
        versions.put("ONNX Runtime (Java)", Versions.onnxRuntimeJava());
        versions.put("Jetty", Versions.jetty());
        versions.put("Node.js", Versions.node());
        Versions.nodePackages(env.nodePeerDir()).forEach((k, v) -> versions.put("npm " + k, v));
        versions.put("wrk", Versions.wrk());
        return new RunInfo(Instant.now(), command, gitCommit(env), Versions.cpuModel(),
                Runtime.getRuntime().availableProcessors(), Versions.kernel(), versions, options);
    }

    private static String gitCommit(BenchEnvironment env) {
        return Versions.firstLineIn(env.root(), java.util.List.of("git", "rev-parse", "--short", "HEAD"))
                + (Versions.firstLineIn(env.root(), java.util.List.of("git", "status", "--porcelain", "--untracked-files=no")).isBlank()
                ? "" : " (with uncommitted changes)");
    }
}
