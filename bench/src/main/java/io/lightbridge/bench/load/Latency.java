package io.lightbridge.bench.load;

import org.HdrHistogram.Histogram;

/** Latency percentiles of one load run, in microseconds. */
public record Latency(double p50, double p90, double p99, double p999, double max, double mean) {

    /** The percentiles of {@code h}, or null when it recorded nothing. */
    public static Latency of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return null;
        }
        return new Latency(h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
    }

    public double at(String percentile) {
        return switch (percentile) {
            case "p50" -> p50;
            case "p90" -> p90;
            case "p99" -> p99;
            case "p99.9" -> p999;
            case "max" -> max;
            case "mean" -> mean;
            default -> throw new IllegalArgumentException("unknown percentile " + percentile);
        };
    }
}
