package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGHUP to lighttpd reloads the policy section of the Lightbridge config file (file watching is off here, so the
 * signal is the only trigger): a caller denied before is allowed after; a broken file keeps the policy in force and
 * lighttpd's error log names the file, line and key.
 */
class PolicyReloadIT {

    private static final String MARKETING_MAY_USE_BREAST_CANCER = Deployment.RUN_POLICY + """
                - id: marketing-breast-cancer
                  actions: [infer]
                  models: [breast-cancer]
                  callers: { groups: [marketing] }
            """;

    @Test
    void sighupAppliesANewPolicyAndKeepsTheOldOneWhenTheFileIsBroken() throws Exception {
        Deployment deployment = Deployment.create("reload");
        String bob = deployment.token("bob", List.of("marketing"), List.of());
        String oneRow = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":"
                + Deployment.reference("breast-cancer").get("inputs").get(0) + "}]}";
        try (LighttpdServer server = Deployment.startReady(deployment.config("reload", Deployment.RUN_POLICY))) {
            Path configFile = server.dir().resolve("lightbridge.yaml");
            long pid = server.pid();
            HttpResponse<String> before = infer(server, bob, oneRow);
            assertEquals(403, before.statusCode(), before.body());
            deployment.assertAudited(before, "bob", "breast-cancer");

            Files.writeString(configFile, deployment.yaml(MARKETING_MAY_USE_BREAST_CANCER));
            server.signal("HUP");
            awaitLog(server, "policy reloaded");
            HttpResponse<String> after = infer(server, bob, oneRow);
            assertEquals(200, after.statusCode(), after.body());
            assertEquals("marketing-breast-cancer",
                    deployment.assertAudited(after, "bob", "breast-cancer").get("rule_id").asText());
            HttpResponse<String> otherModel = Deployment.send(server, "POST", "/v2/models/digits/infer", "{}", bob);
            assertEquals(403, otherModel.statusCode(), "the new rule names breast-cancer only");

            // a misspelt key: read as written, it would turn the rule into a deny
            String broken = deployment.yaml(MARKETING_MAY_USE_BREAST_CANCER.replace(
                    "- id: marketing-breast-cancer\n", "- id: marketing-breast-cancer\n      efect: deny\n"));
            Files.writeString(configFile, broken);
            server.signal("HUP");
            awaitLog(server, "policy reload rejected");
            int line = lineOf(broken, "efect");
            String rejection = server.errorLog().lines().filter(l -> l.contains("policy reload rejected")).findFirst().orElseThrow();
            assertTrue(rejection.contains(configFile + ":" + line) && rejection.contains("unknown key 'efect'"), rejection);
            HttpResponse<String> stillAllowed = infer(server, bob, oneRow);
            assertEquals(200, stillAllowed.statusCode(), "the previous policy stays in force: " + stillAllowed.body());
            assertEquals(pid, server.pid());
            deployment.assertChainIntact();
        }
    }

    private static HttpResponse<String> infer(LighttpdServer server, String token, String body) throws Exception {
        return Deployment.send(server, "POST", "/v2/models/breast-cancer/infer", body, token);
    }

    private static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(needle)) return i + 1;
        throw new AssertionError(needle + " not in the file");
    }

    /** Each awaited line is written once in this test: SIGHUP is handled off the event loop, so poll for it. */
    private static void awaitLog(LighttpdServer server, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!server.errorLog().contains(text) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(server.errorLog().contains(text), () -> "no '" + text + "' in the error log:\n" + server.errorLog());
    }
}
