package io.lightbridge.acl;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * The {@code policy} section: rules granting or denying actions on models to callers. Deny rules override
 * grants; anything no rule grants is denied.
 *
 * @param watchInterval how often the config file is checked for changes (0 turns watching off; SIGHUP still reloads)
 */
public record PolicyConfig(List<RuleConfig> rules, Duration watchInterval) {

    public static final PolicyConfig DENY_ALL = new PolicyConfig(List.of(), null);

    public PolicyConfig {
        rules = rules == null ? List.of() : List.copyOf(rules);
        watchInterval = watchInterval == null ? Duration.ofSeconds(2) : watchInterval;
        if (watchInterval.isNegative()) {
            throw new IllegalArgumentException("watch-interval must not be negative");
        }
        var ids = new HashSet<String>();
        for (RuleConfig rule : rules) {
            if (!ids.add(rule.id())) {
                throw new IllegalArgumentException("rule id '" + rule.id() + "' is used twice; ids must be unique");
            }
        }
    }
}
