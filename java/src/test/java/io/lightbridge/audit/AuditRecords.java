package io.lightbridge.audit;

import java.time.Instant;

/** Audit records for tests that drive a trail directly. */
final class AuditRecords {
    private AuditRecords() {}

    static AuditRecord allowed(int n) {
        return new AuditRecord(Instant.parse("2026-11-25T15:30:00.123456789Z").plusMillis(n), "req-" + n, null,
                "192.0.2.7", "dana", "web", "https://idp.test", "jti-" + n, "fraud-detector", "3", "infer", true,
                "ds-use", 200, 850 + n, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", null);
    }
}
