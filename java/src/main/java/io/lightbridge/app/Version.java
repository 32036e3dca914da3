package io.lightbridge.app;

/** This build's version, from the jar manifest (Implementation-Version); "dev" when run from classes. */
public final class Version {
    private Version() {}

    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
