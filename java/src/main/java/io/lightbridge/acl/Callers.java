package io.lightbridge.acl;

import java.util.List;
import java.util.Map;

/**
 * Who a rule applies to. Each listed kind must match (AND); within a kind any listed value matches (OR).
 * {@code claims} maps a claim name to accepted values; a list-valued claim matches when any element does.
 */
public record Callers(
        List<String> subjects,
        List<String> clientIds,
        List<String> issuers,
        List<String> groups,
        List<String> roles,
        List<String> scopes,
        Map<String, List<String>> claims) {

    public Callers {
        subjects = copy("subjects", subjects);
        clientIds = copy("client-ids", clientIds);
        issuers = copy("issuers", issuers);
        groups = copy("groups", groups);
        roles = copy("roles", roles);
        scopes = copy("scopes", scopes);
        if (claims != null) {
            for (var e : claims.entrySet()) {
                copy("claims." + e.getKey(), e.getValue());
            }
            claims = Map.copyOf(claims);
        }
    }

    boolean isEmpty() {
        return subjects == null && clientIds == null && issuers == null && groups == null && roles == null
                && scopes == null && (claims == null || claims.isEmpty());
    }

    /** Null stays null (kind not used); an empty list would match nobody and is almost surely a mistake. */
    private static List<String> copy(String kind, List<String> values) {
        if (values == null) {
            return null;
        }
        if (values.isEmpty() || values.stream().anyMatch(v -> v == null || v.isEmpty())) {
            throw new IllegalArgumentException(kind + " must list at least one non-empty value");
        }
        return List.copyOf(values);
    }
}
