package io.lightbridge.acl;

import io.lightbridge.auth.Principal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compiled, immutable policy. Rules are indexed by action and by exact model name; globs are compiled once and
 * the rules that apply to a model name are worked out the first time that name is asked about, then cached.
 * A decision is a map lookup plus a scan of the few candidate rules, deny rules first, or, when a model has many
 * rules, lookups of the caller's attributes in a {@link RuleIndex}: no allocation either way.
 */
public final class Policy implements Authorizer {

    /** Bounds the per-name cache, so a caller probing random model names cannot grow it without end. */
    static final int MAX_CACHED_NAMES = 10_000;

    /** Up to this many candidate rules are scanned in order; more are looked up by the caller's attributes. */
    static final int SCAN_LIMIT = 16;

    private static final Decision DEFAULT_DENY = Decision.defaultDeny();
    private static final Rule[] NONE = new Rule[0];
    private static final Candidates NO_CANDIDATES = new Candidates(NONE, null);

    /** A compiled rule; its decision is built once and shared. */
    private record Rule(int order, boolean deny, Decision decision, CallerMatcher callers) {}

    /** The rules naming one model for one action, best first; indexed by caller when there are many. */
    private record Candidates(Rule[] inOrder, RuleIndex index) {
        static Candidates of(List<Rule> rules) {
            if (rules.isEmpty()) {
                return NO_CANDIDATES;
            }
            if (rules.size() <= SCAN_LIMIT) {
                return new Candidates(rules.toArray(Rule[]::new), null);
            }
            var entries = new ArrayList<RuleIndex.Entry>(rules.size());
            for (int i = 0; i < rules.size(); i++) {
                entries.add(new RuleIndex.Entry(i, rules.get(i).callers(), rules.get(i).decision()));
            }
            return new Candidates(null, new RuleIndex(entries));
        }

        Decision decide(Principal principal) {
            if (index != null) {
                return index.decide(principal, DEFAULT_DENY);
            }
            for (Rule rule : inOrder) {
                if (rule.callers().matches(principal)) {
                    return rule.decision();
                }
            }
            return DEFAULT_DENY;
        }
    }

    private record GlobRule(Glob glob, Rule rule) {}

    private final EnumMap<Action, Map<String, Rule[]>> exact = new EnumMap<>(Action.class);
    private final EnumMap<Action, List<GlobRule>> globs = new EnumMap<>(Action.class);
    private final EnumMap<Action, ConcurrentHashMap<String, Candidates>> candidates = new EnumMap<>(Action.class);

    private Policy(PolicyConfig config) {
        var exactLists = new EnumMap<Action, Map<String, List<Rule>>>(Action.class);
        for (Action a : Action.values()) {
            exactLists.put(a, new HashMap<>());
            globs.put(a, new ArrayList<>());
            candidates.put(a, new ConcurrentHashMap<>());
        }
        int order = 0;
        for (RuleConfig rc : config.rules()) {
            var rule = new Rule(order++, rc.deny(), new Decision(!rc.deny(), rc.id()), new CallerMatcher(rc.callers()));
            for (Action action : rc.actionSet()) {
                for (String model : rc.models()) {
                    if (Glob.isGlob(model)) {
                        globs.get(action).add(new GlobRule(Glob.compile(model), rule));
                    } else {
                        exactLists.get(action).computeIfAbsent(model, m -> new ArrayList<>()).add(rule);
                    }
                }
            }
        }
        for (Action a : Action.values()) {
            var byName = new HashMap<String, Rule[]>();
            exactLists.get(a).forEach((name, rules) -> byName.put(name, rules.toArray(Rule[]::new)));
            exact.put(a, byName);
            for (String name : byName.keySet()) {
                candidates.get(a).put(name, computeCandidates(a, name));
            }
        }
    }

    public static Policy compile(PolicyConfig config) {
        return new Policy(config);
    }

    @Override
    public Decision decide(Principal principal, Action action, String resource) {
        return candidatesFor(action, resource).decide(principal);
    }

    private Candidates candidatesFor(Action action, String resource) {
        var cache = candidates.get(action);
        Candidates rules = cache.get(resource);
        if (rules != null) {
            return rules;
        }
        rules = computeCandidates(action, resource);
        if (cache.size() < MAX_CACHED_NAMES) {
            cache.putIfAbsent(resource, rules);
        }
        return rules;
    }

    /** Every rule naming this model for this action, deny rules first, each group in file order. */
    private Candidates computeCandidates(Action action, String resource) {
        var list = new ArrayList<Rule>(List.of(exact.get(action).getOrDefault(resource, NONE)));
        for (GlobRule g : globs.get(action)) {
            if (g.glob().matches(resource) && !list.contains(g.rule())) {
                list.add(g.rule());
            }
        }
        list.sort(Comparator.comparing((Rule r) -> !r.deny()).thenComparingInt(Rule::order));
        return Candidates.of(list);
    }
}
