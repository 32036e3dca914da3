package io.lightbridge.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.auth.Principal;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading from the real file: a good file replaces the policy, a broken one is refused and the old one stays. */
class PolicyStoreTest {

    static final Principal DS = new Principal("dana", "https://idp", null, Set.of("data-science"), Set.of(), Set.of(),
            null, null, Map.of());
    static final Principal CONSUMER = new Principal("carl", "https://idp", null, Set.of("ml-consumers"), Set.of(),
            Set.of(), null, null, Map.of());

    static String config(String group, String watch) {
        return """
                server: {}
                policy:
                  watch-interval: %s
                  rules:
                    - id: use
                      actions: [infer]
                      models: ["*"]
                      callers: { groups: [%s] }
                """.formatted(watch, group);
    }

    @TempDir
    Path dir;

    final List<String> log = new CopyOnWriteArrayList<>();
    final ServerLog serverLog = ServerLog.lines(log::add);

    @Test
    void reloadsAGoodFileAndKeepsThePolicyOnABrokenOne() throws Exception {
        Path file = dir.resolve("lightbridge.yaml");
        Files.writeString(file, config("data-science", "0s"));
        try (var store = PolicyStore.load(ConfigFile.read(file, ConfigFile.SECTIONS), serverLog)) {
            assertTrue(store.decide(DS, Action.INFER, "churn").allowed());
            assertFalse(store.decide(CONSUMER, Action.INFER, "churn").allowed());

            Files.writeString(file, config("ml-consumers", "0s"));
            assertTrue(store.reload());
            assertFalse(store.decide(DS, Action.INFER, "churn").allowed());
            assertEquals(new Decision(true, "use"), store.decide(CONSUMER, Action.INFER, "churn"));

            Files.writeString(file, config("ml-consumers", "0s").replace("[infer]", "[infer, predict]"));
            assertFalse(store.reload());
            assertEquals(new Decision(true, "use"), store.decide(CONSUMER, Action.INFER, "churn"));
            String last = log.getLast();
            assertTrue(last.startsWith("WARN ") && last.contains(file + ":6") && last.contains("unknown action 'predict'")
                    && last.contains("previous policy stays in force"), last);

            Files.writeString(file, "");
            assertFalse(store.reload(), "an emptied file (an editor mid-save) does not revoke every grant");
            assertTrue(log.getLast().contains("policy: section missing"), log.getLast());
            assertTrue(store.decide(CONSUMER, Action.INFER, "churn").allowed());

            Files.writeString(file, "policy: [unclosed");
            assertFalse(store.reload());
            assertTrue(log.getLast().contains(file.toString()) && log.getLast().contains("not valid YAML"), log.getLast());
            assertTrue(store.decide(CONSUMER, Action.INFER, "churn").allowed());
        }
    }

    @Test
    void picksUpAFileReplacedByRename() throws Exception {
        Path file = dir.resolve("lightbridge.yaml");
        Files.writeString(file, config("data-science", "50ms"));
        try (var store = PolicyStore.load(ConfigFile.read(file, ConfigFile.SECTIONS), serverLog)) {
            Path next = dir.resolve("lightbridge.yaml.new");
            Files.writeString(next, config("ml-consumers", "50ms"));
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!store.decide(CONSUMER, Action.INFER, "churn").allowed() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(store.decide(CONSUMER, Action.INFER, "churn").allowed(), "watcher did not reload: " + log);
            assertFalse(store.decide(DS, Action.INFER, "churn").allowed());

            Files.writeString(file, config("ml-consumers", "50ms").replace("models: [\"*\"]", "models: []"));
            deadline = System.nanoTime() + 5_000_000_000L;
            while (log.stream().noneMatch(l -> l.contains("rejected")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(log.stream().anyMatch(l -> l.contains("rejected") && l.contains("models must name")), log.toString());
            assertTrue(store.decide(CONSUMER, Action.INFER, "churn").allowed());
        }
    }

    @Test
    void aMissingSectionDeniesEverythingAndSaysSo() throws Exception {
        Path file = dir.resolve("lightbridge.yaml");
        Files.writeString(file, "server: {}\n");
        try (var store = PolicyStore.load(ConfigFile.read(file, ConfigFile.SECTIONS), serverLog)) {
            assertEquals(Decision.defaultDeny(), store.decide(DS, Action.INFER, "churn"));
            assertTrue(log.getFirst().contains("every guarded call is denied"), log.toString());
        }
    }
}
