package io.lightbridge.audit;

import io.lightbridge.log.ServerLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * The process {@link AuditCrashTest} kills with SIGKILL: four request threads append to a sync trail and print
 * "ack ID" each time an append returns, the moment a server would send the response.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    public static void main(String[] args) throws Exception {
        var trail = AuditTrails.create(AuditConfig.sync(Path.of(args[0])), Clock.systemUTC(), ServerLog.lines(System.err::println),
                AuditMetrics.NONE);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                for (int i = 0; ; i++) {
                    String id = "t" + thread + "-" + i;
                    try {
                        trail.append(new AuditRecord(Instant.now(), id, null, "192.0.2.7", "dana", "web", "https://idp",
                                "jti", "fraud-detector", "3", "infer", true, "ds-use", 200, 100, "00", null));
                    } catch (AuditUnavailableException e) {
                        System.err.println("append failed: " + e.getMessage());
                        return;
                    }
                    synchronized (System.out) {
                        System.out.println("ack " + id);
                        System.out.flush();
                    }
                }
            });
        }
        Thread.sleep(60_000); // the test kills us long before
        System.exit(3);
    }
}
