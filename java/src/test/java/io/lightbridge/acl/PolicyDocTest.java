package io.lightbridge.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lightbridge.auth.Principal;
import io.lightbridge.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The realistic example in docs/policy.md binds and decides as the text around it says. */
class PolicyDocTest {

    static final Path DOC = Path.of("../docs/policy.md");

    static Policy example() throws Exception {
        var blocks = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        while (blocks.find()) {
            if (blocks.group(1).contains("consumers-scoring")) {
                return Policy.compile(ConfigFile.of(DOC, blocks.group(1), ConfigFile.SECTIONS)
                        .section("policy", PolicyConfig.class, null));
            }
        }
        throw new AssertionError("no example policy in " + DOC.toAbsolutePath());
    }

    static Principal who(String issuer, String clientId, Set<String> groups, Map<String, Object> claims) {
        return new Principal("someone", issuer, clientId, groups, Set.of(), Set.of(), null, null, claims);
    }

    @Test
    void decidesAsDocumented() throws Exception {
        Policy p = example();
        String idp = "https://accounts.cloud.databricks.com/oidc";
        var consumer = who(idp, "web", Set.of("ml-consumers"), Map.of());
        assertEquals(new Decision(true, "consumers-scoring"), p.decide(consumer, Action.INFER, "fraud-detector"));
        assertEquals(Decision.defaultDeny(), p.decide(consumer, Action.METADATA, "fraud-detector"));

        var partner = who("https://login.partner.example.com/", "partner-app", Set.of(), Map.of());
        assertEquals(new Decision(true, "partner-credit-score"), p.decide(partner, Action.INFER, "credit-score"));
        assertEquals(Decision.defaultDeny(), p.decide(partner, Action.INFER, "fraud-detector"));
        assertEquals(Decision.defaultDeny(), p.decide(partner, Action.METADATA, "credit-score"));

        var ci = who(idp, "6f1c2a4e-8b1d-4c3e-9a7f-2d5b8e0c1f34", Set.of(), Map.of());
        assertEquals(new Decision(true, "ci-fraud-admin"), p.decide(ci, Action.ADMIN, "fraud-detector"));
        assertEquals(Decision.defaultDeny(), p.decide(ci, Action.INFER, "fraud-detector"));
        assertEquals(Decision.defaultDeny(), p.decide(ci, Action.ADMIN, "churn-model"));

        var suspended = who(idp, "web", Set.of("data-science"), Map.of("account_status", "suspended"));
        assertEquals(new Decision(false, "suspended"), p.decide(suspended, Action.INFER, "churn-model"));
        var scientist = who(idp, "web", Set.of("data-science"), Map.of("account_status", "active"));
        assertEquals(new Decision(true, "data-science-use"), p.decide(scientist, Action.INFER, "churn-model"));
    }
}
