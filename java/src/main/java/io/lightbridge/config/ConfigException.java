package io.lightbridge.config;

import java.nio.file.Path;

/** A configuration error that names the file, line and key, as an admin needs to fix it. */
public class ConfigException extends Exception {
    private final Path file;
    private final int line;
    private final String key;

    public ConfigException(Path file, int line, String key, String reason) {
        super(file + (line > 0 ? ":" + line : "") + (key == null || key.isEmpty() ? "" : ": " + key) + ": " + reason);
        this.file = file;
        this.line = line;
        this.key = key;
    }

    public Path file() {
        return file;
    }

    /** 1-based, or 0 when unknown. */
    public int line() {
        return line;
    }

    public String key() {
        return key;
    }
}
