package io.lightbridge.audit;

/** What the audit writer reports to monitoring. Called from the writer thread only. */
public interface AuditMetrics {

    /**
     * @param records    records written and synced in this batch (one fsync)
     * @param writeNanos time to write and fsync the batch
     * @param lagNanos   how long the oldest record of the batch waited between append and disk
     */
    void written(int records, long writeNanos, long lagNanos);

    void writeFailed();

    void syslogFailed();

    AuditMetrics NONE = new AuditMetrics() {
        @Override
        public void written(int records, long writeNanos, long lagNanos) {}

        @Override
        public void writeFailed() {}

        @Override
        public void syslogFailed() {}
    };
}
