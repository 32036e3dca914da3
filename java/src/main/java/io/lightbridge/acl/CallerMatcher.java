package io.lightbridge.acl;

import io.lightbridge.auth.Principal;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Callers} compiled for the hot path: single-valued attributes are looked up in hash sets, multi-valued
 * ones probe the principal's own sets with the rule's (few) values. Nothing is allocated while matching.
 */
final class CallerMatcher {

    /** The kinds of caller attribute a rule can require. */
    enum Kind { SUBJECT, CLIENT_ID, ISSUER, GROUP, ROLE, SCOPE, CLAIM }

    /** One attribute kind this matcher requires, and the values it accepts for it: where {@link RuleIndex} files it. */
    record Key(Kind kind, String claimName, List<String> values) {}

    private final Key indexKey;
    private final Set<String> subjects;
    private final Set<String> clientIds;
    private final Set<String> issuers;
    private final String[] groups;
    private final String[] roles;
    private final String[] scopes;
    private final String[] claimNames;
    private final Set<String>[] claimValues;

    @SuppressWarnings("unchecked")
    CallerMatcher(Callers callers) {
        subjects = hashSet(callers.subjects());
        clientIds = hashSet(callers.clientIds());
        issuers = hashSet(callers.issuers());
        groups = array(callers.groups());
        roles = array(callers.roles());
        scopes = array(callers.scopes());
        Map<String, List<String>> claims = callers.claims() == null ? Map.of() : callers.claims();
        claimNames = claims.keySet().stream().sorted().toArray(String[]::new);
        indexKey = chooseIndexKey(callers, claimNames);
        claimValues = new Set[claimNames.length];
        for (int i = 0; i < claimNames.length; i++) {
            claimValues[i] = new HashSet<>(claims.get(claimNames[i]));
        }
    }

    Key indexKey() {
        return indexKey;
    }

    /** The most selective required attribute: a subject or client id names one caller, an issuer maybe thousands. */
    private static Key chooseIndexKey(Callers c, String[] claimNames) {
        if (c.subjects() != null) {
            return new Key(Kind.SUBJECT, null, c.subjects());
        }
        if (c.clientIds() != null) {
            return new Key(Kind.CLIENT_ID, null, c.clientIds());
        }
        if (c.groups() != null) {
            return new Key(Kind.GROUP, null, c.groups());
        }
        if (c.roles() != null) {
            return new Key(Kind.ROLE, null, c.roles());
        }
        if (c.scopes() != null) {
            return new Key(Kind.SCOPE, null, c.scopes());
        }
        if (claimNames.length > 0) {
            return new Key(Kind.CLAIM, claimNames[0], c.claims().get(claimNames[0]));
        }
        return new Key(Kind.ISSUER, null, c.issuers());
    }

    boolean matches(Principal p) {
        return (subjects == null || subjects.contains(p.subject()))
                && (clientIds == null || clientIds.contains(p.clientId()))
                && (issuers == null || issuers.contains(p.issuer()))
                && (groups == null || anyIn(groups, p.groups()))
                && (roles == null || anyIn(roles, p.roles()))
                && (scopes == null || anyIn(scopes, p.scopes()))
                && claimsMatch(p.claims());
    }

    private boolean claimsMatch(Map<String, Object> claims) {
        for (int i = 0; i < claimNames.length; i++) {
            if (!valueMatches(claims.get(claimNames[i]), claimValues[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueMatches(Object value, Set<String> accepted) {
        return switch (value) {
            case null -> false;
            case String s -> accepted.contains(s);
            case Collection<?> values -> {
                for (Object v : values) {
                    if (v != null && accepted.contains(v.toString())) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> accepted.contains(value.toString());
        };
    }

    private static boolean anyIn(String[] wanted, Set<String> held) {
        for (String w : wanted) {
            if (held.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** HashSet, not Set.of: the principal's value may be null (no client id), which Set.of refuses to look up. */
    private static Set<String> hashSet(List<String> values) {
        return values == null ? null : new HashSet<>(values);
    }

    private static String[] array(List<String> values) {
        return values == null ? null : values.toArray(String[]::new);
    }
}
