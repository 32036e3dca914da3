package io.lightbridge.auth;

/**
 * Why a request has no principal. {@link Fault#CALLER} faults are the client's (401, RFC 6750);
 * {@link Fault#SERVER} faults are ours, e.g. no signing keys known for the issuer (503).
 * The message never contains the token.
 */
public class AuthenticationException extends Exception {

    public enum Fault { CALLER, SERVER }

    /** A short machine-readable reason, used as a metrics label (e.g. "missing_token", "expired"). */
    private final String reason;
    private final Fault fault;

    public AuthenticationException(Fault fault, String reason, String description) {
        super(description, null, false, false);
        this.fault = fault;
        this.reason = reason;
    }

    public AuthenticationException(Fault fault, String reason, String description, Throwable cause) {
        super(description, cause, false, false);
        this.fault = fault;
        this.reason = reason;
    }

    public Fault fault() {
        return fault;
    }

    public String reason() {
        return reason;
    }

    /** True when the request carried no bearer token at all (RFC 6750 §3.1: no error code). */
    public boolean missingToken() {
        return "missing_token".equals(reason);
    }
}
