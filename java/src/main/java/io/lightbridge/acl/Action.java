package io.lightbridge.acl;

/** What a caller may do to a model (or, for METRICS and ADMIN on "*", to the server). */
public enum Action {
    INFER, METADATA, ADMIN, METRICS;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
