package io.lightbridge.auth;

import com.nimbusds.jwt.proc.BadJWTException;

/** A claims check failed; carries the reason label so failures can be counted without parsing messages. */
final class ClaimRejection extends BadJWTException {
    private final String reason;

    ClaimRejection(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
