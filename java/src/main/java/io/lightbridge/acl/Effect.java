package io.lightbridge.acl;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Whether a rule grants or denies. Deny rules override grants. */
public enum Effect {
    ALLOW, DENY;

    @JsonCreator
    public static Effect ofWireName(String name) {
        return switch (name) {
            case "allow" -> ALLOW;
            case "deny" -> DENY;
            default -> throw new IllegalArgumentException("effect must be allow or deny, not '" + name + "'");
        };
    }
}
