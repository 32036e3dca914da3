package io.lightbridge.audit;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import java.time.Clock;

/** Builds the audit trail the {@code audit} section asks for. */
public final class AuditTrails {
    private AuditTrails() {}

    /**
     * The trail the file's {@code audit} section asks for. Without the section there is no trail, and model calls
     * are refused with 503 (fail closed) until one is configured; routes that call no model still answer.
     */
    public static AuditTrail fromSection(ConfigFile file, Clock clock, ServerLog log, AuditMetrics metrics)
            throws ConfigException {
        AuditConfig config = file.section("audit", AuditConfig.class, null);
        if (config == null) {
            log.warn("audit: no audit section in " + file.path() + ": model calls are refused (503) until one is"
                    + " configured (a directory, or durability: off)");
            return unconfigured(file);
        }
        return create(config, clock, log, metrics);
    }

    private static AuditTrail unconfigured(ConfigFile file) {
        var reason = new AuditUnavailableException("no audit section in " + file.path(), null);
        return new AuditTrail() {
            @Override
            public void ensureWritable() throws AuditUnavailableException {
                throw reason;
            }

            @Override
            public void append(AuditRecord record) throws AuditUnavailableException {
                throw reason;
            }
        };
    }

    /**
     * Opens (or continues) the chain in {@code config.directory()}. Never throws for I/O: a trail that cannot
     * write starts failed, refuses model calls with 503 and says why in {@code log} until the disk recovers.
     */
    public static AuditTrail create(AuditConfig config, Clock clock, ServerLog log, AuditMetrics metrics) {
        if (config.durability() == Durability.OFF) {
            log.warn("audit: durability off, model calls are NOT audited");
            return AuditTrail.DISABLED;
        }
        log.info("audit: " + config.durability().name().toLowerCase(java.util.Locale.ROOT) + " records to " + config.file()
                + (config.syslog().enabled() ? " and syslog " + config.syslog().socket() : ""));
        return new FileAuditTrail(config, clock, log, metrics);
    }
}
