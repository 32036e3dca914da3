package io.lightbridge.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.acl.Action;
import io.lightbridge.acl.PolicyStore;
import io.lightbridge.auth.Principal;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import io.lightbridge.metrics.MetricsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy, audit and metrics sections that `./lightbridge run` writes bind and behave as documented. */
class RunConfigTest {

    static final String RUN_CONFIG = """
            policy:
              rules:
                - id: data-science-use
                  actions: [infer, metadata]
                  models: ["*"]
                  callers: { groups: [data-science] }
                - id: ml-admins
                  actions: [admin, metrics]
                  models: ["*"]
                  callers: { roles: [ml-admin] }
            audit:
              durability: sync
              directory: STATE/audit
              rotate-size: 64MiB
              rotate-every: 1d
            metrics:
              path: /metrics
            """;

    @TempDir
    Path state;

    static Principal with(Set<String> groups, Set<String> roles) {
        return new Principal("u", "https://idp", null, groups, roles, Set.of(), null, null, Map.of());
    }

    @Test
    void bindsAndDecidesAsDocumented() throws Exception {
        Path file = state.resolve("lightbridge.yaml");
        Files.writeString(file, RUN_CONFIG.replace("STATE", state.toString()));
        var config = ConfigFile.read(file, ConfigFile.SECTIONS);

        AuditConfig audit = AuditConfig.from(config);
        assertEquals(Durability.SYNC, audit.durability());
        assertEquals(state.resolve("audit/audit.log"), audit.file());
        assertEquals(64L << 20, audit.rotateBytes());
        assertEquals(Duration.ofDays(1), audit.rotateEvery());
        assertEquals("/metrics", config.section("metrics", MetricsConfig.class, MetricsConfig.DEFAULT).path());

        try (var policy = PolicyStore.load(config, ServerLog.NONE)) {
            var ds = with(Set.of("data-science"), Set.of());
            var admin = with(Set.of(), Set.of("ml-admin"));
            var other = with(Set.of("ml-consumers"), Set.of("user"));
            assertTrue(policy.decide(ds, Action.INFER, "any-model").allowed());
            assertTrue(policy.decide(ds, Action.METADATA, "any-model").allowed());
            assertFalse(policy.decide(ds, Action.METRICS, "*").allowed());
            assertTrue(policy.decide(admin, Action.METRICS, "*").allowed());
            assertTrue(policy.decide(admin, Action.ADMIN, "any-model").allowed());
            assertFalse(policy.decide(admin, Action.INFER, "any-model").allowed());
            assertFalse(policy.decide(other, Action.INFER, "any-model").allowed());
        }
    }

    @Test
    void badAuditValuesNameTheLine() throws Exception {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.lightbridge.config.ConfigException.class,
                () -> ConfigFile.of(Path.of("l.yaml"), "audit:\n  directory: /x\n  durability: eventually\n",
                        ConfigFile.SECTIONS).section("audit", AuditConfig.class, null));
        assertEquals(3, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("durability must be sync, async or off"), e.getMessage());
        var missing = org.junit.jupiter.api.Assertions.assertThrows(io.lightbridge.config.ConfigException.class,
                () -> AuditConfig.from(ConfigFile.of(Path.of("l.yaml"), "policy: {}\n", ConfigFile.SECTIONS)));
        assertTrue(missing.getMessage().contains("l.yaml: audit: section missing"), missing.getMessage());
        var size = org.junit.jupiter.api.Assertions.assertThrows(io.lightbridge.config.ConfigException.class,
                () -> ConfigFile.of(Path.of("l.yaml"), "audit:\n  directory: /x\n  rotate-size: 64MB\n",
                        ConfigFile.SECTIONS).section("audit", AuditConfig.class, null));
        assertTrue(size.getMessage().contains("not a size such as 64MiB"), size.getMessage());
    }
}
