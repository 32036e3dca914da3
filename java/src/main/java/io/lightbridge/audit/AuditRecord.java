package io.lightbridge.audit;

import java.time.Instant;

/**
 * One model call, allowed, denied or failed. Never holds the token, inputs or outputs.
 * Fields the caller could not establish (no principal, no model) are null.
 */
public record AuditRecord(
        Instant time,
        String requestId,
        String traceparent,
        String remoteAddress,
        String subject,
        String clientId,
        String issuer,
        String tokenId,
        String model,
        String modelVersion,
        String action,
        boolean allowed,
        String ruleId,
        int status,
        long latencyMicros,
        String bodySha256,
        String errorClass) {}
