package io.lightbridge.bench.jmh;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cross-check of {@link TokenValidationBenchmark} on a shared, overloaded machine: the same operations, timed
 * by this thread's CPU time (which other processes' load does not inflate the way wall time is inflated),
 * interleaved round by round so that both sides of each ratio see the same conditions.
 * Run: java -cp 'target/classes:target/lib/*' io.lightbridge.bench.jmh.TokenValidationCpuTime [rounds]
 */
public final class TokenValidationCpuTime {
    @FunctionalInterface
    private interface Op {
        Object run() throws Exception;
    }

    private TokenValidationCpuTime() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        var bench = new TokenValidationBenchmark();
        bench.setUp();
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("rawRs256", bench::rawRs256);
        ops.put("freshRs256", bench::freshRs256);
        ops.put("rawEs256", bench::rawEs256);
        ops.put("freshEs256", bench::freshEs256);
        ops.put("cachedRs256", bench::cachedRs256);
        Map<String, Integer> batch = Map.of("rawRs256", 2_000, "freshRs256", 2_000, "rawEs256", 500,
                "freshEs256", 500, "cachedRs256", 200_000);
        var mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        Map<String, double[]> nanos = new LinkedHashMap<>();
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (int round = -3; round < rounds; round++) { // 3 warm-up rounds
            for (var op : ops.entrySet()) {
                int n = batch.get(op.getKey());
                long cpu0 = mx.getCurrentThreadCpuTime();
                long alloc0 = mx.getThreadAllocatedBytes(thread);
                for (int i = 0; i < n; i++) {
                    op.getValue().run();
                }
                long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                long alloc = mx.getThreadAllocatedBytes(thread) - alloc0;
                if (round >= 0) {
                    nanos.computeIfAbsent(op.getKey(), k -> new double[rounds])[round] = (double) cpu / n;
                    bytes.put(op.getKey(), alloc / n);
                }
            }
        }
        bench.tearDown();
        System.out.printf("%-12s %12s %12s %10s%n", "operation", "median ns", "min ns", "B/op");
        Map<String, Double> median = new LinkedHashMap<>();
        for (var e : nanos.entrySet()) {
            double[] v = e.getValue().clone();
            java.util.Arrays.sort(v);
            median.put(e.getKey(), v[v.length / 2]);
            System.out.printf("%-12s %12.0f %12.0f %10d%n", e.getKey(), v[v.length / 2], v[0], bytes.get(e.getKey()));
        }
        System.out.printf("fresh/raw RS256 = %.2f, fresh/raw ES256 = %.2f, cached = %.3f us%n",
                median.get("freshRs256") / median.get("rawRs256"), median.get("freshEs256") / median.get("rawEs256"),
                median.get("cachedRs256") / 1000);
    }
}
