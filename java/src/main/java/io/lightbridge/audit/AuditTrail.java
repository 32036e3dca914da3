package io.lightbridge.audit;

/**
 * Where audit records go. Implementations are thread-safe.
 * In sync durability, {@link #append} returns only once the record is on disk.
 */
public interface AuditTrail extends AutoCloseable {

    /** Throws when a record could not be written now; the pipeline then refuses to call the model (fail closed). */
    void ensureWritable() throws AuditUnavailableException;

    void append(AuditRecord record) throws AuditUnavailableException;

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
    };
}
