package io.lightbridge.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lightbridge.auth.Principal;
import io.lightbridge.config.ConfigFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One policy, many callers: each row is caller, action, model → the deciding rule (or default deny). */
class PolicyTest {

    static final String POLICY = """
            policy:
              rules:
                - id: ds-use
                  actions: [infer, metadata]
                  models: ["*"]
                  callers: { groups: [data-science] }
                - id: admins
                  actions: [admin, metrics]
                  models: ["*"]
                  callers: { roles: [ml-admin] }
                - id: ci-fraud-admin
                  actions: [admin]
                  models: ["fraud-*"]
                  callers: { client-ids: [3f2a-ci-app] }
                - id: partner-scoring
                  actions: [infer]
                  models: [credit-score]
                  callers: { issuers: ["https://login.partner.example/"] }
                - id: alice-churn
                  actions: [metadata]
                  models: ["churn-v?"]
                  callers: { subjects: [alice] }
                - id: scoped-read
                  actions: [metadata]
                  models: [recommender]
                  callers: { scopes: [models.read] }
                - id: eu-only
                  actions: [infer]
                  models: [gdpr-*]
                  callers: { claims: { region: [eu-west-1, eu-central-1] } }
                - id: partner-ds
                  actions: [infer]
                  models: [partner-model]
                  callers: { issuers: ["https://login.partner.example/"], groups: [analysts] }
                - id: no-contractors
                  effect: deny
                  actions: [infer, metadata, admin, metrics]
                  models: ["*"]
                  callers: { claims: { employment: [contractor] } }
                - id: freeze-fraud
                  effect: deny
                  actions: [admin]
                  models: [fraud-detector]
                  callers: { client-ids: [3f2a-ci-app] }
            """;

    static final Policy policy = load(POLICY);

    /**
     * The same policy plus 40 rules on every model that match none of the callers below: every model then has more
     * candidate rules than {@link Policy#SCAN_LIMIT}, so decisions go through the {@link RuleIndex} instead.
     */
    static final Policy indexed = load(POLICY + padding());

    static String padding() {
        var sb = new StringBuilder();
        String[] kinds = {"subjects", "client-ids", "issuers", "groups", "roles", "scopes"};
        for (int i = 0; i < 40; i++) {
            String callers = i % 7 == 6
                    ? "{ claims: { region: [pad-" + i + "] } }"
                    : "{ " + kinds[i % 6] + ": [pad-" + i + "] }";
            sb.append("    - id: pad-").append(i).append('\n')
              .append("      effect: ").append(i % 2 == 0 ? "deny" : "allow").append('\n')
              .append("      actions: [infer, metadata, admin, metrics]\n")
              .append("      models: [\"*\"]\n")
              .append("      callers: ").append(callers).append('\n');
        }
        return sb.toString();
    }

    static Policy load(String yaml) {
        try {
            var file = ConfigFile.of(Path.of("policy-test.yaml"), yaml, ConfigFile.SECTIONS);
            return Policy.compile(file.section("policy", PolicyConfig.class, null));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Principal who(String subject, String issuer, String clientId, Set<String> groups, Set<String> roles,
                         Set<String> scopes, Map<String, Object> claims) {
        return new Principal(subject, issuer, clientId, groups, roles, scopes, "jti-1", null, claims);
    }

    static final String IDP = "https://idp.example/realms/lb";
    static final Principal DS = who("dana", IDP, "web", Set.of("data-science", "staff"), Set.of(), Set.of(), Map.of());
    static final Principal CONSUMER = who("carl", IDP, "web", Set.of("ml-consumers"), Set.of(), Set.of(), Map.of());
    static final Principal ADMIN = who("ann", IDP, "web", Set.of(), Set.of("ml-admin"), Set.of(), Map.of());
    static final Principal CI = who("service-account-ci", IDP, "3f2a-ci-app", Set.of(), Set.of(), Set.of(), Map.of());
    static final Principal PARTNER = who("p-1", "https://login.partner.example/", "partner-app", Set.of(), Set.of(), Set.of(), Map.of());
    static final Principal PARTNER_DS = who("p-2", "https://login.partner.example/", "partner-app",
            Set.of("analysts"), Set.of(), Set.of(), Map.of());
    static final Principal INTERNAL_ANALYST = who("ian", IDP, "web", Set.of("analysts"), Set.of(), Set.of(), Map.of());
    static final Principal ALICE = who("alice", IDP, null, Set.of(), Set.of(), Set.of(), Map.of());
    static final Principal SCOPED = who("svc", IDP, "svc", Set.of(), Set.of(), Set.of("openid", "models.read"), Map.of());
    static final Principal EU = who("eve", IDP, "web", Set.of(), Set.of(), Set.of(), Map.of("region", "eu-west-1"));
    static final Principal EU_LIST = who("eli", IDP, "web", Set.of(), Set.of(), Set.of(), Map.of("region", List.of("us-east-1", "eu-central-1")));
    static final Principal US = who("ulf", IDP, "web", Set.of(), Set.of(), Set.of(), Map.of("region", "us-east-1"));
    static final Principal DS_CONTRACTOR = who("dan", IDP, "web", Set.of("data-science"), Set.of(), Set.of(),
            Map.of("employment", "contractor"));

    static Stream<Arguments> table() {
        return Stream.of(
                // grants by group, on every model via "*"
                Arguments.of("group grant", DS, Action.INFER, "fraud-detector", "ds-use", true),
                Arguments.of("group grant metadata", DS, Action.METADATA, "anything", "ds-use", true),
                Arguments.of("group lacks admin", DS, Action.ADMIN, "fraud-detector", Decision.DEFAULT_DENY, false),
                Arguments.of("other group default deny", CONSUMER, Action.INFER, "fraud-detector", Decision.DEFAULT_DENY, false),
                // roles, server-wide resource
                Arguments.of("role grants metrics", ADMIN, Action.METRICS, "*", "admins", true),
                Arguments.of("role grants admin", ADMIN, Action.ADMIN, "churn", "admins", true),
                Arguments.of("role lacks infer", ADMIN, Action.INFER, "churn", Decision.DEFAULT_DENY, false),
                // client id + glob; deny overrides the grant for one model
                Arguments.of("client id on glob", CI, Action.ADMIN, "fraud-scorer", "ci-fraud-admin", true),
                Arguments.of("deny overrides grant", CI, Action.ADMIN, "fraud-detector", "freeze-fraud", false),
                Arguments.of("glob does not match", CI, Action.ADMIN, "churn", Decision.DEFAULT_DENY, false),
                Arguments.of("glob is anchored", CI, Action.ADMIN, "antifraud-x", Decision.DEFAULT_DENY, false),
                // issuer, exact model, action limited
                Arguments.of("issuer grant", PARTNER, Action.INFER, "credit-score", "partner-scoring", true),
                Arguments.of("issuer only infer", PARTNER, Action.METADATA, "credit-score", Decision.DEFAULT_DENY, false),
                Arguments.of("issuer only that model", PARTNER, Action.INFER, "fraud-detector", Decision.DEFAULT_DENY, false),
                // AND across kinds
                Arguments.of("issuer and group both", PARTNER_DS, Action.INFER, "partner-model", "partner-ds", true),
                Arguments.of("issuer without group", PARTNER, Action.INFER, "partner-model", Decision.DEFAULT_DENY, false),
                Arguments.of("group without issuer", INTERNAL_ANALYST, Action.INFER, "partner-model", Decision.DEFAULT_DENY, false),
                // subject with ? glob
                Arguments.of("subject + ? glob", ALICE, Action.METADATA, "churn-v2", "alice-churn", true),
                Arguments.of("? is one char", ALICE, Action.METADATA, "churn-v10", Decision.DEFAULT_DENY, false),
                // scope
                Arguments.of("scope grant", SCOPED, Action.METADATA, "recommender", "scoped-read", true),
                Arguments.of("scope not infer", SCOPED, Action.INFER, "recommender", Decision.DEFAULT_DENY, false),
                // any claim value: string and list-valued claims
                Arguments.of("claim string", EU, Action.INFER, "gdpr-churn", "eu-only", true),
                Arguments.of("claim list element", EU_LIST, Action.INFER, "gdpr-churn", "eu-only", true),
                Arguments.of("claim other value", US, Action.INFER, "gdpr-churn", Decision.DEFAULT_DENY, false),
                Arguments.of("claim absent", DS, Action.ADMIN, "gdpr-churn", Decision.DEFAULT_DENY, false),
                // a deny rule written after the grant still wins
                Arguments.of("deny by claim overrides group", DS_CONTRACTOR, Action.INFER, "fraud-detector", "no-contractors", false),
                Arguments.of("deny on metadata too", DS_CONTRACTOR, Action.METADATA, "churn", "no-contractors", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String name, Principal principal, Action action, String model, String rule, boolean allowed) {
        assertEquals(new Decision(allowed, rule), policy.decide(principal, action, model));
    }

    @ParameterizedTest(name = "indexed: {0}")
    @MethodSource("table")
    void decidesTheSameThroughTheIndex(String name, Principal principal, Action action, String model, String rule, boolean allowed) {
        assertEquals(new Decision(allowed, rule), indexed.decide(principal, action, model));
    }

    @org.junit.jupiter.api.Test
    void theIndexKeepsDenyFirstThenFileOrder() {
        var padGroup = who("pg", IDP, "web", Set.of("pad-3", "data-science"), Set.of(), Set.of(), Map.of());
        assertEquals(new Decision(true, "ds-use"), indexed.decide(padGroup, Action.INFER, "churn"), "file order among grants");
        assertEquals(new Decision(true, "pad-3"), indexed.decide(padGroup, Action.ADMIN, "churn"));
        var padDenied = who("pad-0", IDP, "web", Set.of("data-science"), Set.of(), Set.of(), Map.of());
        assertEquals(new Decision(false, "pad-0"), indexed.decide(padDenied, Action.INFER, "churn"), "deny first");
        var padClaim = who("x", IDP, "web", Set.of("data-science"), Set.of(), Set.of(), Map.of("region", List.of("pad-20")));
        assertEquals(new Decision(false, "pad-20"), indexed.decide(padClaim, Action.METADATA, "churn"), "claim-indexed deny");
        var padIssuer = who("y", "pad-2", "web", Set.of(), Set.of(), Set.of(), Map.of());
        assertEquals(new Decision(false, "pad-2"), indexed.decide(padIssuer, Action.METRICS, "*"), "issuer-indexed deny");
    }

    @ParameterizedTest(name = "repeat lookups use the cache: {0}")
    @MethodSource("table")
    void decidesTheSameTwice(String name, Principal principal, Action action, String model, String rule, boolean allowed) {
        policy.decide(principal, action, model);
        assertEquals(new Decision(allowed, rule), policy.decide(principal, action, model));
    }
}
