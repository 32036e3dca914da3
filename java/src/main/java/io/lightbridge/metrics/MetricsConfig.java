package io.lightbridge.metrics;

/**
 * The {@code metrics} section.
 *
 * @param enabled   whether {@link Metrics#router()} serves the scrape path (counting happens either way)
 * @param path      where Prometheus scrapes, guarded by the {@code metrics} action on "*"
 * @param maxModels distinct model label values kept; further names are counted as "other" so that callers
 *                  asking for made-up model names cannot grow the series without end
 */
public record MetricsConfig(Boolean enabled, String path, Integer maxModels) {

    public static final MetricsConfig DEFAULT = new MetricsConfig(null, null, null);

    public MetricsConfig {
        enabled = enabled == null || enabled;
        path = path == null ? "/metrics" : path;
        maxModels = maxModels == null ? 200 : maxModels;
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /");
        }
        if (maxModels < 1) {
            throw new IllegalArgumentException("max-models must be at least 1");
        }
    }
}
