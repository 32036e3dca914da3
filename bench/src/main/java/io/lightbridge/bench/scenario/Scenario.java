package io.lightbridge.bench.scenario;

import io.lightbridge.bench.Bench;
import io.lightbridge.bench.report.ScenarioReport;

/** One of issue 6's scenarios. Starts the peers it needs, measures, stops them; missing prerequisites fail it. */
public interface Scenario {

    String name();

    String title();

    /** The target every ratio in this scenario's tables is taken against. */
    String reference();

    /** Fills {@code report} as it goes, so a failure still leaves what was measured before it. */
    void run(Bench bench, ScenarioReport report) throws Exception;
}
