package io.lightbridge.model;

import java.util.concurrent.atomic.AtomicBoolean;

/** A running call's hold on one loaded version: the session stays open until every lease is closed. */
public final class ModelLease implements AutoCloseable {
    private final ModelVersion version;
    private final AtomicBoolean released = new AtomicBoolean();

    ModelLease(ModelVersion version) {
        this.version = version;
    }

    public ModelVersion version() {
        return version;
    }

    /** Idempotent and thread-safe. */
    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            version.release();
        }
    }
}
