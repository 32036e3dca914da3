package io.lightbridge.metrics;

import java.util.concurrent.ConcurrentHashMap;

/** Admits up to {@code max} distinct label values; later ones become "other". Lookups of admitted values do not allocate. */
final class BoundedLabels {
    static final String OTHER = "other";

    private final int max;
    private final ConcurrentHashMap<String, String> admitted = new ConcurrentHashMap<>();

    BoundedLabels(int max) {
        this.max = max;
    }

    String of(String value) {
        if (value == null) {
            return "";
        }
        String known = admitted.get(value);
        if (known != null) {
            return known;
        }
        if (admitted.size() >= max) {
            return OTHER;
        }
        String prior = admitted.putIfAbsent(value, value);
        return prior != null ? prior : value;
    }
}
