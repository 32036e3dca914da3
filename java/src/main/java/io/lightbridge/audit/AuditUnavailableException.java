package io.lightbridge.audit;

/** The audit trail cannot take records now (disk full, permission, closed). Model calls get 503. */
public class AuditUnavailableException extends Exception {
    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
