package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGHUP to lighttpd reloads the policy section of the Lightbridge config file (file watching is off here, so the
 * signal is the only trigger): a caller denied before is allowed after; a broken file keeps the policy in force and
 * lighttpd's error log names the file, line and key. The same signal reopens the audit log after a logrotate-style
 * rename, and the chain runs on across both files. SIGUSR1 (graceful restart in the same process) keeps it all.
 */
class PolicyReloadIT {

    private static Deployment deployment;
    private static LighttpdServer server;
    private static String oneRow;

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.create("reload");
        server = Deployment.startReady(deployment.config("reload", Deployment.RUN_POLICY));
        oneRow = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":"
                + Deployment.reference("breast-cancer").get("inputs").get(0) + "}]}";
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static final String MARKETING_MAY_USE_BREAST_CANCER = Deployment.RUN_POLICY + """
                - id: marketing-breast-cancer
                  actions: [infer]
                  models: [breast-cancer]
                  callers: { groups: [marketing] }
            """;

    @Test
    void sighupAppliesANewPolicyAndKeepsTheOldOneWhenTheFileIsBroken() throws Exception {
        String bob = deployment.token("bob", List.of("marketing"), List.of());
        Path configFile = server.dir().resolve("lightbridge.yaml");
        long pid = server.pid();
        HttpResponse<String> before = infer(server, bob, oneRow);
        assertEquals(403, before.statusCode(), before.body());
        deployment.assertAudited(before, "bob", "breast-cancer");

        Files.writeString(configFile, deployment.yaml(MARKETING_MAY_USE_BREAST_CANCER));
        sighupAndAwait("policy reloaded");
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
        sighupAndAwait("policy reload rejected");
        int line = lineOf(broken, "efect");
        String rejection = server.errorLog().lines().filter(l -> l.contains("policy reload rejected")).reduce((a, b) -> b).orElseThrow();
        assertTrue(rejection.contains(configFile + ":" + line) && rejection.contains("unknown key 'efect'"), rejection);
        HttpResponse<String> stillAllowed = infer(server, bob, oneRow);
        assertEquals(200, stillAllowed.statusCode(), "the previous policy stays in force: " + stillAllowed.body());
        assertEquals(pid, server.pid());
        deployment.assertChainIntact();
    }

    @Test
    void sighupAfterALogrotateRenameStartsANewFileAndTheChainRunsOn() throws Exception {
        String alice = deployment.token("alice", List.of("data-science"), List.of());
        HttpResponse<String> first = infer(server, alice, oneRow);
        assertEquals(200, first.statusCode(), first.body());
        Path rotated = deployment.auditDir().resolve("audit-rotated.log");
        Files.move(deployment.auditLog(), rotated);
        sighupAndAwait("policy reload"); // SIGHUP's work is done: the audit file is reopened before its next write
        HttpResponse<String> second = infer(server, alice, oneRow);
        assertEquals(200, second.statusCode(), second.body());
        assertTrue(server.errorLog().contains("audit: reopening"), server::errorLog);
        deployment.assertAudited(second, "alice", "breast-cancer");
        assertTrue(Files.readString(rotated).contains(Deployment.requestId(first)), "the first call's record moved with the file");
        assertEquals(1, deployment.auditRecords().size(), "the reopened audit.log holds only the call after the signal");
        deployment.assertChainIntact();
    }

    @Test
    void sigusr1GracefulRestartKeepsTokensPolicyModelsAndTheAuditChain() throws Exception {
        String alice = deployment.token("alice", List.of("data-science"), List.of());
        long pid = server.pid();
        // wait for the restart to finish: lighttpd 1.4.69 resets its shutdown flag while it sets up again, so a
        // SIGTERM (the class's close) inside that window would be lost
        signalAndAwait("USR1", "server started");
        HttpResponse<String> after = infer(server, alice, oneRow);
        assertEquals(200, after.statusCode(), after.body());
        assertEquals(pid, server.pid());
        deployment.assertAudited(after, "alice", "breast-cancer");
        deployment.assertChainIntact();
    }

    private static HttpResponse<String> infer(LighttpdServer server, String token, String body) throws Exception {
        return Deployment.send(server, "POST", "/v2/models/breast-cancer/infer", body, token);
    }

    private static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(needle)) return i + 1;
        throw new AssertionError(needle + " not in the file");
    }

    /** SIGHUP is handled off the event loop: signal, then wait for one more error-log line containing {@code text}. */
    private static void sighupAndAwait(String text) throws Exception {
        signalAndAwait("HUP", text);
    }

    private static void signalAndAwait(String signal, String text) throws Exception {
        long before = occurrences(text);
        server.signal(signal);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (occurrences(text) == before && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(occurrences(text) > before, () -> "no new '" + text + "' in the error log after SIG" + signal + ":\n" + server.errorLog());
    }

    private static long occurrences(String text) {
        return server.errorLog().lines().filter(l -> l.contains(text)).count();
    }
}
