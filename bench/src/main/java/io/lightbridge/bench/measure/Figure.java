package io.lightbridge.bench.measure;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One cell of the summary: all repetitions of one target at one load level, each number the median with its
 * spread. Latencies in microseconds; statuses, unsent and late-sent requests summed over the repetitions.
 */
public record Figure(String scenario, String target, String peer, String phase, int connections, double percentOfPeak,
                     Stat offered, Stat throughput, Stat p50, Stat p90, Stat p99, Stat p999, Stat max,
                     Stat servedP99, Stat rejectedP99, Stat cpuCores, Stat cpuMicrosPerRequest, Stat rssMiB,
                     Stat machineCores, Map<String, Long> statuses, long unsent, long sentLate) {

    public static Figure of(List<Run> runs) {
        Run first = runs.getFirst();
        var statuses = new TreeMap<String, Long>();
        runs.forEach(r -> r.load().statuses().forEach((k, v) -> statuses.merge(k, v, Long::sum)));
        return new Figure(first.scenario(), first.target(), first.peer(), first.phase(), first.connections(),
                first.percentOfPeak(),
                stat(runs, r -> r.load().offeredRate()),
                stat(runs, r -> r.load().throughput()),
                stat(runs, r -> r.load().latency().p50()),
                stat(runs, r -> r.load().latency().p90()),
                stat(runs, r -> r.load().latency().p99()),
                stat(runs, r -> r.load().latency().p999()),
                stat(runs, r -> r.load().latency().max()),
                stat(runs, r -> r.load().served() == null ? null : r.load().served().p99()),
                stat(runs, r -> r.load().rejected() == null ? null : r.load().rejected().p99()),
                stat(runs, r -> r.usage().cpuCores()),
                stat(runs, r -> r.usage().cpuMicrosPerRequest()),
                stat(runs, r -> r.usage().rssMiB()),
                stat(runs, r -> r.usage().machineCores()),
                statuses, runs.stream().mapToLong(r -> r.load().unsent()).sum(),
                runs.stream().mapToLong(r -> r.load().sentLate()).sum());
    }

    private static Stat stat(List<Run> runs, Function<Run, Double> value) {
        return Stat.of(runs.stream().map(value).toList());
    }
}
