package io.lightbridge.acl;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One rule: {@code effect} (allow, the default, or deny) of {@code actions} on {@code models} (exact names or
 * globs with {@code *} and {@code ?}) for the callers {@code callers} matches.
 */
public record RuleConfig(String id, Effect effect, List<Action> actions, List<String> models, Callers callers) {

    public RuleConfig {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("every rule needs an id");
        }
        effect = effect == null ? Effect.ALLOW : effect;
        if (actions == null || actions.isEmpty()) {
            throw new IllegalArgumentException("rule '" + id + "': actions must name at least one of infer, metadata, admin, metrics");
        }
        actions = List.copyOf(actions);
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("rule '" + id + "': models must name at least one model or glob (\"*\" for all)");
        }
        models = List.copyOf(models);
        for (String model : models) {
            if (model == null || model.isEmpty()) {
                throw new IllegalArgumentException("rule '" + id + "': a model name or glob must not be empty");
            }
        }
        if (callers == null || callers.isEmpty()) {
            throw new IllegalArgumentException("rule '" + id + "': callers must name who the rule applies to");
        }
    }

    public boolean deny() {
        return effect == Effect.DENY;
    }

    public Set<Action> actionSet() {
        return EnumSet.copyOf(actions);
    }
}
