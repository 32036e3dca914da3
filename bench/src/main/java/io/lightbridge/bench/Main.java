package io.lightbridge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.lightbridge.bench.load.Wrk;
import io.lightbridge.bench.peer.BenchEnvironment;
import io.lightbridge.bench.peer.Versions;
import io.lightbridge.bench.report.Charts;
import io.lightbridge.bench.report.RunInfo;
import io.lightbridge.bench.report.ScenarioReport;
import io.lightbridge.bench.report.Summary;
import io.lightbridge.bench.scenario.DigitsScenario;
import io.lightbridge.bench.scenario.OverheadScenario;
import io.lightbridge.bench.scenario.OverloadScenario;
import io.lightbridge.bench.scenario.SlowNeighbourScenario;
import io.lightbridge.bench.scenario.SmallModelScenario;
import io.lightbridge.bench.scenario.StartupScenario;
import io.lightbridge.bench.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ./lightbridge bench: runs the selected scenarios, then writes results.json (every raw run), SUMMARY.md and the
 * PNG charts to bench/results/&lt;date&gt;-&lt;host&gt;/. Exits non-zero when any scenario failed; what was
 * measured before the failure is still written, marked as failed.
 */
public final class Main {

    private static final Map<String, Scenario> SCENARIOS = scenarios(new OverheadScenario(),
            new SmallModelScenario(false), new SmallModelScenario(true), new DigitsScenario(), new OverloadScenario(),
            new SlowNeighbourScenario(), new StartupScenario());

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.print(Options.usage());
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(Options.usage());
            System.exit(2);
            return;
        }
        var env = BenchEnvironment.fromSystemProperties();
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm"));
        String name = stamp + "-" + (options.hostLabel() != null ? options.hostLabel() : hostLabel());
        Path out = Files.createDirectories(env.root().resolve(options.resultsDir()).resolve(name));
        Path work = Files.createDirectories(env.root().resolve("build/bench-work").resolve(name));
        var bench = new Bench(options, env, work, out, new Wrk(work.resolve("wrk")));
        var info = RunInfo.collect(options, env, options.commandLine(args));
        bench.log("results go to " + out + ", peer logs and configs to " + work);

        var reports = new ArrayList<ScenarioReport>();
        var failures = new LinkedHashMap<String, String>();
        var charts = new LinkedHashMap<String, List<String>>();
        for (String s : options.scenarios()) {
            Scenario scenario = SCENARIOS.get(s);
            var report = ScenarioReport.start(scenario.name(), scenario.title(), scenario.reference());
            reports.add(report);
            bench.log("scenario " + scenario.title());
            report.notes().add("Load average when the scenario started (1, 5, 15 min): "
                    + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0] + ", "
                    + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[1] + ", "
                    + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[2]
                    + " on " + Runtime.getRuntime().availableProcessors() + " cores.");
            try {
                scenario.run(bench, report);
            } catch (Exception | AssertionError e) {
                failures.put(s, e.getMessage() == null ? e.toString() : e.getMessage());
                bench.log("FAILED " + s + ": " + failures.get(s));
            }
            charts.put(s, Charts.write(report, out));
            write(out, info, reports, failures, charts);
        }
        write(out, info, reports, failures, charts);
        bench.log("summary: " + out.resolve("SUMMARY.md"));
        if (!failures.isEmpty()) {
            bench.log("FAILED scenarios: " + String.join(", ", failures.keySet()));
            System.exit(1);
        }
    }

    private static void write(Path out, RunInfo info, List<ScenarioReport> reports, Map<String, String> failures,
                              Map<String, List<String>> charts) throws java.io.IOException {
        var json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);
        var all = new LinkedHashMap<String, Object>();
        all.put("run", info);
        all.put("failures", failures);
        all.put("scenarios", reports);
        json.writeValue(out.resolve("results.json").toFile(), all);
        Files.writeString(out.resolve("SUMMARY.md"), Summary.markdown(info, reports, failures, charts));
    }

    /** e.g. "2c-amd-epyc-7b13": cores and CPU model, short enough for a folder name. */
    static String hostLabel() {
        String cpu = Versions.cpuModel().toLowerCase(Locale.ROOT)
                .replaceAll("\\(r\\)|\\(tm\\)|cpu|processor|@.*$|[0-9-]+-core", " ")
                .trim().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        String label = Runtime.getRuntime().availableProcessors() + "c-" + cpu;
        return label.length() > 32 ? label.substring(0, 32).replaceAll("-$", "") : label;
    }

    private static Map<String, Scenario> scenarios(Scenario... all) {
        var map = new LinkedHashMap<String, Scenario>();
        for (Scenario s : all) {
            map.put(s.name(), s);
        }
        return map;
    }
}
