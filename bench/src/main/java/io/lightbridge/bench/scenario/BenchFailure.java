package io.lightbridge.bench.scenario;

/** A run that must not produce numbers: a peer answered with errors, died, or a prerequisite is missing. */
public final class BenchFailure extends RuntimeException {
    public BenchFailure(String message) {
        super(message);
    }

    public BenchFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
