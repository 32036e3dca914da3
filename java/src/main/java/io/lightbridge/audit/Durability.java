package io.lightbridge.audit;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * When a model call's response may leave relative to its audit record.
 * <ul>
 * <li>{@code sync}: only after the record is on disk (fsync); concurrent requests share one fsync (group commit).
 * <li>{@code async}: the record goes into a bounded buffer and is written (and fsynced) by the writer thread
 * off the request path. A crash loses the records still in the buffer: those of the last few milliseconds,
 * at most {@code buffer} records. A full buffer answers 503 rather than dropping records.
 * <li>{@code off}: no audit trail. Meant for benchmarks and development only.
 * </ul>
 */
public enum Durability {
    SYNC, ASYNC, OFF;

    @JsonCreator
    public static Durability ofWireName(String name) {
        return switch (name) {
            case "sync" -> SYNC;
            case "async" -> ASYNC;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException("durability must be sync, async or off, not '" + name + "'");
        };
    }
}
