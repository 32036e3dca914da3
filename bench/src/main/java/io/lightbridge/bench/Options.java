package io.lightbridge.bench;

import io.lightbridge.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one ./lightbridge bench run does. Every loop is bounded by these numbers.
 *
 * @param repetitions        each figure is the median of this many runs (at least 3)
 * @param duration           one closed- or open-loop run
 * @param warmUp             load before measuring; JVM peers need 15–20 s to reach steady state
 * @param closedConnections  wrk connection counts for the peak search
 * @param openConnections    connections of the constant-rate generator
 * @param loadPercents       open-loop rates as percentages of each target's peak
 * @param profile            after measuring, sample Lightbridge's process with perf under load (where the time goes)
 * @param auditDurability    the Lightbridge peers' audit durability in the model scenarios: sync (the default a
 *                           production config uses) or async (no fsync per batch, as the Node.js peer writes)
 */
public record Options(List<String> scenarios, int repetitions, Duration duration, Duration warmUp,
                      List<Integer> closedConnections, int openConnections, List<Integer> loadPercents,
                      Duration timeout, Path resultsDir, String hostLabel, boolean profile, String auditDurability) {

    public static final List<String> ALL_SCENARIOS =
            List.of("overhead", "small-model", "fresh-token", "digits", "overload", "slow-neighbour", "startup");

    public Options {
        if (!auditDurability.equals("sync") && !auditDurability.equals("async")) {
            throw new IllegalArgumentException("--audit takes sync or async, not " + auditDurability);
        }
        if (repetitions < 3) {
            throw new IllegalArgumentException("--repetitions must be at least 3: each figure is a median with its spread");
        }
        for (String s : scenarios) {
            if (!ALL_SCENARIOS.contains(s)) {
                throw new IllegalArgumentException("unknown scenario '" + s + "' (known: " + String.join(", ", ALL_SCENARIOS) + ")");
            }
        }
    }

    public static Options parse(String[] args) {
        List<String> scenarios = new ArrayList<>();
        int reps = 3;
        Duration duration = Duration.ofSeconds(10);
        Duration warmUp = Duration.ofSeconds(20);
        List<Integer> closed = List.of(4, 16, 64);
        int open = 16;
        List<Integer> percents = List.of(25, 50, 75, 100, 200);
        Path results = Path.of("bench/results");
        String host = null;
        boolean profile = false;
        String audit = "sync";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--scenario" -> scenarios.addAll(Arrays.asList(value(args, ++i, a).split(",")));
                case "--repetitions" -> reps = Integer.parseInt(value(args, ++i, a));
                case "--duration" -> duration = Durations.parse(value(args, ++i, a));
                case "--warm-up" -> warmUp = Durations.parse(value(args, ++i, a));
                case "--connections" -> closed = ints(value(args, ++i, a));
                case "--open-connections" -> open = Integer.parseInt(value(args, ++i, a));
                case "--load-percents" -> percents = ints(value(args, ++i, a));
                case "--results" -> results = Path.of(value(args, ++i, a));
                case "--host-label" -> host = value(args, ++i, a);
                case "--profile" -> profile = true;
                case "--audit" -> audit = value(args, ++i, a);
                case "--quick" -> {
                    duration = Duration.ofSeconds(4);
                    warmUp = Duration.ofSeconds(8);
                    closed = List.of(16);
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
            }
        }
        return new Options(scenarios.isEmpty() ? ALL_SCENARIOS : List.copyOf(scenarios), reps, duration, warmUp,
                closed, open, percents, Duration.ofSeconds(5), results, host, profile, audit);
    }

    public static String usage() {
        return """
                usage: ./lightbridge bench [--jmh [JMH options]] | [options]
                  --scenario NAME[,NAME]   one or more of %s (default: all)
                  --repetitions N          runs per figure, median and spread reported (default 3, minimum 3)
                  --duration 10s           one measured run
                  --warm-up 20s            load before measuring each target
                  --connections 4,16,64    wrk connection counts (closed loop)
                  --open-connections 16    connections of the constant-rate generator
                  --load-percents 25,50,75,100,200   open-loop rates, %% of each target's peak
                  --results DIR            where <date>-<host>/ is written (default bench/results)
                  --host-label TEXT        short host description for the folder name
                  --quick                  4 s runs, 8 s warm-up, 16 connections only (a smoke run)
                  --profile                then perf-sample (b)'s lighttpd process under load: where the time goes
                  --audit sync|async       the Lightbridge peers' audit durability in the model scenarios (default sync)
                """.formatted(String.join(", ", ALL_SCENARIOS));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    /** How the report names the command, so anyone can run it again. */
    public String commandLine(String[] args) {
        return "./lightbridge bench " + String.join(" ", args);
    }
}
