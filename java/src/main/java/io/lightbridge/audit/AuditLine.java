package io.lightbridge.audit;

import io.lightbridge.pipeline.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The on-disk form of a record: one JSON object per line, fields in a fixed order, ending with
 * {@code "prev":"<hash of the previous record>","hash":"<SHA-256 of this line up to and including prev>"}.
 * The first record ever written has {@link #GENESIS} as its prev; the chain continues across rotated files.
 */
final class AuditLine {
    static final String GENESIS = "0".repeat(64);
    static final String HASH_FIELD = ",\"hash\":\"";
    /** {@code ,"hash":"} + 64 hex digits + {@code "}} */
    static final int HASH_SUFFIX_LENGTH = HASH_FIELD.length() + 64 + 2;

    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private AuditLine() {}

    /** Everything the hash covers: the record, its sequence number and the previous record's hash. */
    static String prefix(long seq, AuditRecord r, String prev) {
        var sb = new StringBuilder(640);
        sb.append("{\"seq\":").append(seq);
        sb.append(",\"time\":\"").append(TIME.format(r.time())).append('"');
        field(sb, "request_id", r.requestId());
        field(sb, "traceparent", r.traceparent());
        field(sb, "remote_addr", r.remoteAddress());
        field(sb, "subject", r.subject());
        field(sb, "client_id", r.clientId());
        field(sb, "issuer", r.issuer());
        field(sb, "jti", r.tokenId());
        field(sb, "model", r.model());
        field(sb, "model_version", r.modelVersion());
        field(sb, "action", r.action());
        sb.append(",\"decision\":\"").append(r.allowed() ? "allow" : "deny").append('"');
        field(sb, "rule_id", r.ruleId());
        sb.append(",\"status\":").append(r.status());
        sb.append(",\"latency_us\":").append(r.latencyMicros());
        field(sb, "body_sha256", r.bodySha256());
        field(sb, "error_class", r.errorClass());
        sb.append(",\"prev\":\"").append(prev).append('"');
        return sb.toString();
    }

    static String line(String prefix, String hash) {
        return prefix + HASH_FIELD + hash + "\"}\n";
    }

    static String hash(MessageDigest sha256, String prefix) {
        return HexFormat.of().formatHex(sha256.digest(prefix.getBytes(StandardCharsets.UTF_8)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The stored hash of a line (without its newline), or null when the line does not end like a record. */
    static String storedHash(String line) {
        int at = line.length() - HASH_SUFFIX_LENGTH;
        if (at < 0 || !line.startsWith(HASH_FIELD, at) || !line.endsWith("\"}")) {
            return null;
        }
        String hash = line.substring(at + HASH_FIELD.length(), line.length() - 2);
        return isHex64(hash) ? hash : null;
    }

    static String hashedPart(String line) {
        return line.substring(0, line.length() - HASH_SUFFIX_LENGTH);
    }

    /** The sequence number at the start of a line, or -1. */
    static long seq(String line) {
        if (!line.startsWith("{\"seq\":")) {
            return -1;
        }
        int i = 7;
        long n = 0;
        int digits = 0;
        while (i < line.length() && Character.isDigit(line.charAt(i)) && digits < 18) {
            n = n * 10 + (line.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 ? -1 : n;
    }

    static boolean isHex64(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":");
        if (value == null) {
            sb.append("null");
        } else {
            sb.append(Json.quote(value));
        }
    }
}
