package io.lightbridge.bench.measure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The median of repeated measurements with their spread (smallest and largest). */
public record Stat(double median, double min, double max, int n) {

    public static Stat of(List<Double> values) {
        var sorted = new ArrayList<>(values.stream().filter(v -> v != null && !v.isNaN()).toList());
        if (sorted.isEmpty()) {
            return null;
        }
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stat(median, sorted.getFirst(), sorted.getLast(), n);
    }

    /** Spread as a fraction of the median, e.g. 0.04 for ±4 %. */
    public double relativeSpread() {
        return median == 0 ? 0 : (max - min) / median;
    }
}
