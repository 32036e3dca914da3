package io.lightbridge.acl;

import io.lightbridge.auth.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules that name one model for one action, indexed by who they apply to, for when there are many of them
 * (a policy with hundreds of rules on "*"). Each rule is filed under one kind of caller attribute it requires
 * (subject, client id, issuer, group, role, scope or a claim) and every value it accepts for it; a principal
 * finds its candidates by looking up its own attributes, so the cost follows the principal's size, not the
 * policy's. The best matching rule wins: deny rules first, then file order. Nothing is allocated.
 */
final class RuleIndex {

    /** The compiled rule as the index needs it: a rank (deny rules first, then file order), a matcher, a decision. */
    record Entry(int rank, CallerMatcher callers, Decision decision) {}

    private static final Entry[] NONE = new Entry[0];

    private final Map<String, Entry[]> subjects;
    private final Map<String, Entry[]> clientIds;
    private final Map<String, Entry[]> issuers;
    private final Map<String, Entry[]> groups;
    private final Map<String, Entry[]> roles;
    private final Map<String, Entry[]> scopes;
    private final String[] claimNames;
    private final List<Map<String, Entry[]>> claimValues;

    RuleIndex(List<Entry> entries) {
        var lists = new ArrayList<Map<String, List<Entry>>>();
        for (int i = 0; i < 6; i++) {
            lists.add(new HashMap<>());
        }
        var claims = new HashMap<String, Map<String, List<Entry>>>();
        for (Entry e : entries) {
            CallerMatcher.Key key = e.callers().indexKey();
            Map<String, List<Entry>> target = key.kind() == CallerMatcher.Kind.CLAIM
                    ? claims.computeIfAbsent(key.claimName(), n -> new HashMap<>())
                    : lists.get(key.kind().ordinal());
            for (String value : key.values()) {
                target.computeIfAbsent(value, v -> new ArrayList<>()).add(e);
            }
        }
        subjects = freeze(lists.get(CallerMatcher.Kind.SUBJECT.ordinal()));
        clientIds = freeze(lists.get(CallerMatcher.Kind.CLIENT_ID.ordinal()));
        issuers = freeze(lists.get(CallerMatcher.Kind.ISSUER.ordinal()));
        groups = freeze(lists.get(CallerMatcher.Kind.GROUP.ordinal()));
        roles = freeze(lists.get(CallerMatcher.Kind.ROLE.ordinal()));
        scopes = freeze(lists.get(CallerMatcher.Kind.SCOPE.ordinal()));
        claimNames = claims.keySet().toArray(String[]::new);
        claimValues = new ArrayList<>();
        for (String name : claimNames) {
            claimValues.add(freeze(claims.get(name)));
        }
    }

    Decision decide(Principal p, Decision otherwise) {
        Entry best = null;
        best = bestOf(subjects, p.subject(), p, best);
        best = bestOf(clientIds, p.clientId(), p, best);
        best = bestOf(issuers, p.issuer(), p, best);
        best = bestOfAll(groups, p.groups(), p, best);
        best = bestOfAll(roles, p.roles(), p, best);
        best = bestOfAll(scopes, p.scopes(), p, best);
        for (int i = 0; i < claimNames.length; i++) {
            Object value = p.claims().get(claimNames[i]);
            switch (value) {
                case null -> { }
                case String s -> best = bestOf(claimValues.get(i), s, p, best);
                case Collection<?> values -> {
                    for (Object v : values) {
                        if (v != null) {
                            best = bestOf(claimValues.get(i), v.toString(), p, best);
                        }
                    }
                }
                default -> best = bestOf(claimValues.get(i), value.toString(), p, best);
            }
        }
        return best == null ? otherwise : best.decision();
    }

    private static Entry bestOfAll(Map<String, Entry[]> index, Collection<String> values, Principal p, Entry best) {
        if (index.isEmpty()) {
            return best;
        }
        for (String v : values) {
            best = bestOf(index, v, p, best);
        }
        return best;
    }

    private static Entry bestOf(Map<String, Entry[]> index, String value, Principal p, Entry best) {
        if (value == null || index.isEmpty()) {
            return best;
        }
        Entry[] entries = index.getOrDefault(value, NONE);
        for (Entry e : entries) {
            if (best != null && e.rank() >= best.rank()) {
                return best; // entries are in rank order: nothing further can beat the best so far
            }
            if (e.callers().matches(p)) {
                return e;
            }
        }
        return best;
    }

    private static Map<String, Entry[]> freeze(Map<String, List<Entry>> lists) {
        var out = new HashMap<String, Entry[]>();
        lists.forEach((k, v) -> out.put(k, v.toArray(Entry[]::new)));
        return out.isEmpty() ? Map.of() : out;
    }
}
