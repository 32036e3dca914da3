package io.lightbridge.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Broken policies are refused with the line and a reason an admin can act on. */
class PolicyConfigTest {

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("unknown action", """
                        policy:
                          rules:
                            - id: a
                              actions: [infer, predict]
                              models: ["*"]
                              callers: { groups: [g] }
                        """, 4, "unknown action 'predict'"),
                Arguments.of("no callers", """
                        policy:
                          rules:
                            - id: a
                              actions: [infer]
                              models: ["*"]
                        """, 3, "rule 'a': callers must name who"),
                Arguments.of("duplicate id", """
                        policy:
                          rules:
                            - id: a
                              actions: [infer]
                              models: ["*"]
                              callers: { groups: [g] }
                            - id: a
                              actions: [infer]
                              models: ["*"]
                              callers: { groups: [h] }
                        """, 1, "rule id 'a' is used twice"),
                Arguments.of("unknown matcher", """
                        policy:
                          rules:
                            - id: a
                              actions: [infer]
                              models: ["*"]
                              callers: { team: [g] }
                        """, 6, "unknown key 'team'"),
                Arguments.of("bad effect", """
                        policy:
                          rules:
                            - id: a
                              effect: maybe
                              actions: [infer]
                              models: ["*"]
                              callers: { groups: [g] }
                        """, 4, "effect must be allow or deny"),
                Arguments.of("empty group list", """
                        policy:
                          rules:
                            - id: a
                              actions: [infer]
                              models: ["*"]
                              callers: { groups: [] }
                        """, 6, "groups must list at least one"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void rejects(String name, String yaml, int line, String reason) {
        var e = assertThrows(ConfigException.class, () -> ConfigFile.of(Path.of("lightbridge.yaml"), yaml,
                ConfigFile.SECTIONS).section("policy", PolicyConfig.class, null));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("lightbridge.yaml:"), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
    }
}
