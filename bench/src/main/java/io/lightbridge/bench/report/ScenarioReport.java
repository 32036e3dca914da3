package io.lightbridge.bench.report;

import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.measure.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one scenario produced: raw runs, the figures computed from them, goals, peer settings and notes
 * (where a peer differs, what was assumed). Filled by the scenario as it runs.
 *
 * @param reference the target every ratio is taken against
 * @param failures  load levels that gave no figure because the target answered with errors there, with why
 * @param tables    a scenario's own markdown tables, printed after the standard ones
 */
public record ScenarioReport(String name, String title, String reference, List<Run> runs, List<Figure> figures,
                             List<Goal> goals, Map<String, List<String>> peerSettings, List<String> notes,
                             Map<String, Object> extra, List<String> failures, List<String> tables) {

    public static ScenarioReport start(String name, String title, String reference) {
        return new ScenarioReport(name, title, reference, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new LinkedHashMap<>(), new ArrayList<>(), new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>());
    }

    public Figure figure(String target, String phase, int connections, double percent) {
        return figures.stream()
                .filter(f -> f.target().equals(target) && f.phase().equals(phase) && f.connections() == connections
                        && f.percentOfPeak() == percent)
                .findFirst().orElse(null);
    }
}
