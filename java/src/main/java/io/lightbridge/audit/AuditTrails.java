package io.lightbridge.audit;

import java.time.Clock;
import java.util.function.Consumer;

/** Builds the audit trail the {@code audit} section asks for. */
public final class AuditTrails {
    private AuditTrails() {}

    /**
     * Opens (or continues) the chain in {@code config.directory()}. Never throws for I/O: a trail that cannot
     * write starts failed, refuses model calls with 503 and says why in {@code log} until the disk recovers.
     */
    public static AuditTrail create(AuditConfig config, Clock clock, Consumer<String> log, AuditMetrics metrics) {
        if (config.durability() == Durability.OFF) {
            log.accept("audit: durability off, model calls are NOT audited");
            return AuditTrail.DISABLED;
        }
        log.accept("audit: " + config.durability().name().toLowerCase(java.util.Locale.ROOT) + " records to " + config.file()
                + (config.syslog().enabled() ? " and syslog " + config.syslog().socket() : ""));
        return new FileAuditTrail(config, clock, log, metrics);
    }
}
