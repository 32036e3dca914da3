package io.lightbridge.acl;

/** An allow or deny, with the id of the rule that decided ({@link #DEFAULT_DENY} when none matched). */
public record Decision(boolean allowed, String ruleId) {
    public static final String DEFAULT_DENY = "default deny";

    public static Decision defaultDeny() {
        return new Decision(false, DEFAULT_DENY);
    }
}
