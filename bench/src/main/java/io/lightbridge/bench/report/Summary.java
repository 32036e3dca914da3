package io.lightbridge.bench.report;

import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.measure.Stat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** SUMMARY.md: the tables a performance team reads first, every number a median with its spread. */
public final class Summary {

    private Summary() {}

    public static String markdown(RunInfo info, List<ScenarioReport> reports, Map<String, String> failures,
                                  Map<String, List<String>> charts) {
        var md = new StringBuilder();
        md.append("# Lightbridge benchmark — ").append(info.started()).append("\n\n");
        md.append("- Command: `").append(info.command()).append("`\n");
        md.append("- Commit: ").append(info.gitCommit()).append("\n");
        md.append("- Machine: ").append(info.cpu()).append(", ").append(info.cores()).append(" cores, ")
                .append(info.kernel()).append(" — the load generators run on the same cores as the servers.\n");
        md.append("- Method: every figure is the median of ").append(info.options().repetitions())
                .append(" repetitions, spread (min–max) in brackets; repetitions are interleaved across targets. ")
                .append("Closed loop: wrk -t1 for ").append(info.options().duration().toSeconds())
                .append(" s at ").append(info.options().closedConnections()).append(" connections after a ")
                .append(info.options().warmUp().toSeconds()).append(" s warm-up per target. ")
                .append("Open loop: constant rate over ").append(info.options().openConnections())
                .append(" keep-alive connections (io.lightbridge.bench.load.OpenLoop), latency counted from each ")
                .append("request's scheduled time (no coordinated omission), at ").append(info.options().loadPercents())
                .append(" % of each target's own peak (its closed-loop req/s at the same connection count when measured,")
                .append(" else its best). req/s counts 2xx answers only. A peer that sheds load (503 queue ")
                .append("full, 504 deadline passed) has those counted under \"answers\"; any other error (4xx, 500, ")
                .append("connection errors) leaves its level without a figure and fails the run. Closed-loop answers are ")
                .append("counted by status in wrk's response() hook, the same cost for every peer. CPU (cores busy, CPU µs per request) and RSS are read from ")
                .append("/proc for the server processes only; \"machine busy cores\" is the whole machine (servers, load ")
                .append("generator and anything else), so other load during a run shows there. Latencies in ms.\n\n");
        md.append("| Software | Version |\n|---|---|\n");
        info.versions().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Goals\n\n");
        md.append("| Scenario | Goal | Measured | Met | Short by |\n|---|---|---|---|---|\n");
        for (ScenarioReport r : reports) {
            for (Goal g : r.goals()) {
                md.append("| ").append(g.scenario()).append(" | ").append(g.target()).append(" | ").append(g.measured())
                        .append(" | ").append(g.met() ? "yes" : "**no**").append(" | ").append(g.shortfall()).append(" |\n");
            }
            if (failures.containsKey(r.name())) {
                md.append("| ").append(r.name()).append(" | (all) | **scenario failed**, see below | **no** | |\n");
            }
        }
        for (ScenarioReport r : reports) {
            scenario(md, r, failures.get(r.name()), charts.getOrDefault(r.name(), List.of()));
        }
        return md.toString();
    }

    private static void scenario(StringBuilder md, ScenarioReport r, String failure, List<String> charts) {
        md.append("\n## ").append(r.title()).append("\n\n");
        if (failure != null) {
            md.append("**FAILED:** ").append(failure.replace("\n", "<br>")).append("\n\n");
        }
        if (!r.failures().isEmpty()) {
            md.append("Levels without a figure (the target answered with errors there; nothing is printed for them):\n");
            r.failures().forEach(f -> md.append("- ").append(f).append("\n"));
            md.append("\n");
        }
        if (!r.peerSettings().isEmpty()) {
            md.append("Peers and their settings:\n");
            r.peerSettings().forEach((peer, settings) ->
                    md.append("- ").append(peer).append(": ").append(String.join("; ", settings)).append("\n"));
            md.append("\n");
        }
        r.notes().forEach(n -> md.append("- ").append(n).append("\n"));
        if (!r.notes().isEmpty()) {
            md.append("\n");
        }
        var closed = r.figures().stream().filter(f -> f.phase().equals("closed")).toList();
        if (!closed.isEmpty()) {
            md.append("Closed loop (peak). Ratios against ").append(r.reference()).append(" at the same connection count.\n\n");
            md.append("| Target | Conns | req/s | ×ref req/s | p50 | ×ref p50 | p90 | p99 | p99.9 | max | answers | CPU cores | CPU µs/req | RSS MiB | machine busy cores |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Figure f : closed) {
                Figure ref = r.figure(r.reference(), "closed", f.connections(), 0);
                md.append("| ").append(f.target()).append(" | ").append(f.connections()).append(" | ")
                        .append(count(f.throughput())).append(" | ").append(ratio(f.throughput(), ref == null ? null : ref.throughput()))
                        .append(" | ").append(ms(f.p50())).append(" | ").append(ratio(f.p50(), ref == null ? null : ref.p50()))
                        .append(" | ").append(ms(f.p90())).append(" | ").append(ms(f.p99())).append(" | ")
                        .append(ms(f.p999())).append(" | ").append(ms(f.max())).append(" | ").append(f.statuses())
                        .append(" | ").append(num(f.cpuCores(), "%.2f")).append(" | ").append(num(f.cpuMicrosPerRequest(), "%.1f"))
                        .append(" | ").append(num(f.rssMiB(), "%.0f")).append(" | ")
                        .append(num(f.machineCores(), "%.2f")).append(" |\n");
            }
            md.append("\n");
        }
        var open = r.figures().stream().filter(f -> f.phase().equals("open")).toList();
        if (!open.isEmpty()) {
            md.append("Open loop (constant rate; latency from each request's scheduled time). \"not sent\": requests the ")
                    .append("schedule wanted but the peer had not let through when the run's time bound (duration + 10 s) ")
                    .append("hit; they count in the latency columns at the delay they had reached. \"sent late\": sent more than ")
                    .append("1 ms after they were due because their connection still awaited an earlier answer (the ")
                    .append("generator's own backlog, counted in the latency).\n\n");
            md.append("| Target | % of peak | offered req/s | achieved req/s | p50 | p90 | p99 | p99.9 | max | p99 of 2xx | p99 of rejected | answers | CPU cores | RSS MiB | machine busy cores |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Figure f : open) {
                md.append("| ").append(f.target()).append(" | ").append((int) f.percentOfPeak()).append(" | ")
                        .append(count(f.offered())).append(" | ").append(count(f.throughput())).append(" | ")
                        .append(ms(f.p50())).append(" | ").append(ms(f.p90())).append(" | ").append(ms(f.p99()))
                        .append(" | ").append(ms(f.p999())).append(" | ").append(ms(f.max())).append(" | ")
                        .append(ms(f.servedP99())).append(" | ").append(ms(f.rejectedP99())).append(" | ")
                        .append(f.statuses()).append(f.unsent() > 0 ? " + " + f.unsent() + " not sent" : "")
                        .append(f.sentLate() > 0 ? "; " + f.sentLate() + " sent late" : "").append(" | ").append(num(f.cpuCores(), "%.2f")).append(" | ")
                        .append(num(f.rssMiB(), "%.0f")).append(" | ").append(num(f.machineCores(), "%.2f"))
                        .append(" |\n");
            }
            md.append("\n");
        }
        r.tables().forEach(t -> md.append(t).append("\n"));
        r.extra().forEach((k, v) -> {
            String text = String.valueOf(v);
            if (text.startsWith("\n")) {
                md.append("\n").append(k).append(":\n\n```\n").append(text.substring(1).stripTrailing()).append("\n```\n");
            } else {
                md.append("- ").append(k).append(": ").append(text).append("\n");
            }
        });
        for (String c : charts) {
            md.append("\n![").append(c).append("](").append(c).append(")\n");
        }
    }

    static String count(Stat s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%,.0f (%,.0f–%,.0f)", s.median(), s.min(), s.max());
    }

    static String ms(Stat s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", s.median() / 1000, s.min() / 1000, s.max() / 1000);
    }

    static String num(Stat s, String format) {
        return s == null ? "–" : String.format(Locale.ROOT, format, s.median());
    }

    static String ratio(Stat value, Stat reference) {
        return value == null || reference == null || reference.median() == 0 ? "–"
                : String.format(Locale.ROOT, "%.2f×", value.median() / reference.median());
    }
}
