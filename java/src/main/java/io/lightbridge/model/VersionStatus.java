package io.lightbridge.model;

/**
 * One version as the repository index reports it (Triton's index entry).
 *
 * @param state  READY, LOADING or UNAVAILABLE
 * @param reason why an UNAVAILABLE version is not served (empty when ready)
 */
public record VersionStatus(String model, String version, String state, String reason) {
    public static final String READY = "READY";
    public static final String UNAVAILABLE = "UNAVAILABLE";

    public boolean ready() {
        return READY.equals(state);
    }
}
