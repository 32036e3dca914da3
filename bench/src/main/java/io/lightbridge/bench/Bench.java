package io.lightbridge.bench;

import io.lightbridge.bench.load.Wrk;
import io.lightbridge.bench.peer.BenchEnvironment;
import java.nio.file.Path;

/**
 * What every scenario gets: the options, where things are on this machine, a scratch directory for peers'
 * configs and logs, and the wrk runner.
 */
public record Bench(Options options, BenchEnvironment env, Path workDir, Path outDir, Wrk wrk) {

    public void log(String message) {
        System.out.println("bench: " + message);
        System.out.flush();
    }
}
