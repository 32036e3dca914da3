package io.lightbridge.audit;

import java.util.concurrent.CompletableFuture;

/**
 * Where audit records go. Implementations are thread-safe.
 * In sync durability, {@link #append} returns only once the record is on disk.
 */
public interface AuditTrail extends AutoCloseable {

    /** Throws when a record could not be written now; the pipeline then refuses to call the model (fail closed). */
    void ensureWritable() throws AuditUnavailableException;

    void append(AuditRecord record) throws AuditUnavailableException;

    /**
     * As {@link #append}, without waiting for the disk: the stage completes once the record is as safe as
     * {@link #append} would have left it, or fails (a write failure, or no fsync within the sync timeout). For a thread
     * that finishes many requests and must not wait for each record in turn. The default appends now.
     */
    default CompletableFuture<Void> appendAsync(AuditRecord record) {
        try {
            append(record);
            return CompletableFuture.completedFuture(null);
        } catch (AuditUnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * False when records are dropped unread: the pipeline then skips what only a record needs (the body digest, and
     * for a call answered on its own thread the record itself).
     */
    default boolean keepsRecords() {
        return true;
    }

    /** Reopen files after rotation by an outside tool (SIGHUP). */
    default void reopen() {}

    @Override
    default void close() {}

    /** Records nothing; for deployments that turned auditing off explicitly. */
    AuditTrail DISABLED = new AuditTrail() {
        @Override
        public void ensureWritable() {}

        @Override
        public void append(AuditRecord record) {}

        @Override
        public boolean keepsRecords() {
            return false;
        }
    };
}
