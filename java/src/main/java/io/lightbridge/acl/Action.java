package io.lightbridge.acl;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** What a caller may do to a model (or, for METRICS and ADMIN on "*", to the server). */
public enum Action {
    INFER, METADATA, ADMIN, METRICS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Binds the lower-case names used in the config file, so a typo is reported at its own line. */
    @JsonCreator
    public static Action ofWireName(String name) {
        for (Action a : values()) {
            if (a.wireName().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown action '" + name + "' (known: infer, metadata, admin, metrics)");
    }
}
