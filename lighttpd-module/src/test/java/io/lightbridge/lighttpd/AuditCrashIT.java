package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: kill -9 of lighttpd under load with a sync audit trail → every request that got a 2xx has its record,
 * and after the next start (which cuts off a half-written last line, forced when the kill fell between two writes)
 * the chain verifies.
 */
class AuditCrashIT {

    private static final int CALLERS = 4;
    private static final int SUCCESSES_BEFORE_KILL = 150;

    @Test
    void everyAnsweredCallSurvivesSigkillAndTheChainVerifiesAfterRestart() throws Exception {
        Deployment deployment = Deployment.create("crash");
        String alice = deployment.token("alice", List.of("data-science"), List.of());
        JsonNode reference = Deployment.reference("breast-cancer");
        String oneRow = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":"
                + reference.get("inputs").get(0) + "}]}";

        LighttpdServer server = Deployment.startReady(deployment.config("crash", Deployment.RUN_POLICY));
        Queue<String> answered = new ConcurrentLinkedQueue<>();
        Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean killing = new AtomicBoolean();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            callers.add(Thread.ofPlatform().name("caller-" + i).start(() -> {
                while (true) {
                    try {
                        HttpResponse<String> response = Deployment.send(server, "POST", "/v2/models/breast-cancer/infer", oneRow, alice);
                        if (response.statusCode() / 100 == 2) answered.add(Deployment.requestId(response));
                        else unexpected.add(response.statusCode() + " " + response.body());
                    } catch (Exception connectionGone) {
                        if (killing.get()) return;
                        unexpected.add(connectionGone.toString());
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answered.size() < SUCCESSES_BEFORE_KILL && System.nanoTime() < deadline && unexpected.isEmpty())
            Thread.sleep(10);
        killing.set(true);
        server.kill(); // mid-flow: the callers are still sending
        for (Thread caller : callers) caller.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(unexpected.isEmpty(), () -> "answers other than 2xx before the kill: " + unexpected);
        assertTrue(answered.size() >= SUCCESSES_BEFORE_KILL, () -> "only " + answered.size() + " answers within 30 s");

        Set<String> onDisk = requestIds(deployment.auditRecords());
        List<String> lost = answered.stream().filter(id -> !onDisk.contains(id)).toList();
        assertEquals(List.of(), lost, "2xx answers without an audit record after kill -9");
        byte[] bytes = Files.readAllBytes(deployment.auditLog());
        if (bytes.length == 0 || bytes[bytes.length - 1] == '\n') // the kill fell between writes: make it a mid-write one
            Files.writeString(deployment.auditLog(), "{\"seq\":" + (onDisk.size() + 1) + ",\"time\":\"20", StandardOpenOption.APPEND);

        try (LighttpdServer restarted = Deployment.startReady(deployment.config("crash-restart", Deployment.RUN_POLICY))) {
            assertTrue(restarted.errorLog().contains("audit: removed an incomplete last record"), restarted::errorLog);
            HttpResponse<String> after = Deployment.send(restarted, "POST", "/v2/models/breast-cancer/infer", oneRow, alice);
            assertEquals(200, after.statusCode(), after.body());
            deployment.assertAudited(after, "alice", "breast-cancer");
            Set<String> afterRepair = requestIds(deployment.auditRecords());
            assertTrue(afterRepair.containsAll(answered), "the repair at start removed no whole record");
            deployment.assertChainIntact();
        }
    }

    private static Set<String> requestIds(List<JsonNode> records) {
        Set<String> ids = new HashSet<>();
        records.forEach(r -> ids.add(r.get("request_id").asText()));
        return ids;
    }
}
