package io.lightbridge.bench.scenario;

import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.measure.Stat;
import io.lightbridge.bench.report.Goal;
import io.lightbridge.bench.report.ScenarioReport;
import java.util.Locale;

/** Issue 6's goals, checked against the figures of one scenario and added to its report. */
final class Goals {

    private Goals() {}

    /** Connection count the closed-loop goals are read at: 16 when measured, else the first measured. */
    static int goalConnections(java.util.List<Integer> measured) {
        return measured.contains(16) ? 16 : measured.getFirst();
    }

    /** {@code a}'s throughput ≥ {@code factor} × {@code b}'s, closed loop at {@code connections}. */
    static void throughputAtLeast(ScenarioReport r, String a, String b, int connections, double factor) {
        Figure fa = r.figure(a, "closed", connections, 0);
        Figure fb = r.figure(b, "closed", connections, 0);
        String goal = "%s ≥ %.1f× the throughput of %s (%d connections)".formatted(a, factor, b, connections);
        if (fa == null || fb == null) {
            notMeasured(r, goal);
            return;
        }
        double ratio = fa.throughput().median() / fb.throughput().median();
        add(r, goal, "%s vs %s req/s = %.2f×".formatted(spread(fa.throughput()), spread(fb.throughput()), ratio),
                ratio >= factor, "%.0f %% short".formatted((factor - ratio) / factor * 100));
    }

    /** {@code a}'s median latency ≤ {@code factor} × {@code b}'s, closed loop at {@code connections}. */
    static void p50AtMost(ScenarioReport r, String a, String b, int connections, double factor) {
        Figure fa = r.figure(a, "closed", connections, 0);
        Figure fb = r.figure(b, "closed", connections, 0);
        String goal = "%s p50 ≤ %.1f× the p50 of %s (%d connections)".formatted(a, factor, b, connections);
        if (fa == null || fb == null) {
            notMeasured(r, goal);
            return;
        }
        double ratio = fa.p50().median() / fb.p50().median();
        add(r, goal, "%s vs %s ms = %.2f×".formatted(ms(fa.p50()), ms(fb.p50()), ratio), ratio <= factor,
                "%.2f× instead of %.1f×".formatted(ratio, factor));
    }

    /** The p99 of {@code target} in the open-loop run at {@code percent} of its peak is at most {@code millis}. */
    static void openLoopP99AtMost(ScenarioReport r, String target, int connections, double percent, double millis) {
        Figure f = r.figure(target, "open", connections, percent);
        String goal = "%s p99 ≤ %.0f ms at %.0f %% of its peak (constant rate)".formatted(target, millis, percent);
        if (f == null) {
            notMeasured(r, goal);
            return;
        }
        double p99 = f.p99().median() / 1000;
        add(r, goal, "%s ms at %.0f req/s".formatted(ms(f.p99()), f.offered().median()), p99 <= millis,
                "%.2f ms over".formatted(p99 - millis));
    }

    /** A goal whose figures are missing because the run failed there: reported as not met, never guessed. */
    static void notMeasured(ScenarioReport r, String goal) {
        r.goals().add(new Goal(r.name(), goal, "not measured: the run failed there (see the failures)", false,
                "unknown"));
    }

    static void add(ScenarioReport r, String goal, String measured, boolean met, String shortfall) {
        r.goals().add(new Goal(r.name(), goal, measured, met, met ? "" : shortfall));
    }

    static String spread(Stat s) {
        return String.format(Locale.ROOT, "%,.0f (%,.0f–%,.0f)", s.median(), s.min(), s.max());
    }

    static String ms(Stat s) {
        return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", s.median() / 1000, s.min() / 1000, s.max() / 1000);
    }
}
