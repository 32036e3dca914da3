package io.lightbridge.audit;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code audit} section.
 *
 * @param directory   where the log, its checkpoint and rotated files live
 * @param rotateSize  rotate when the file reaches this size ("64MiB", "1GiB", bytes); null = never by size
 * @param rotateEvery rotate when the file is this old ("1d", "1h"); null = never by time
 * @param buffer      records that may wait for the writer thread; a full buffer answers 503
 * @param syncTimeout how long a request waits for its record to reach disk before it fails with 503
 * @param retryEvery  after a write failure, how often a model call may probe whether the disk recovered
 */
public record AuditConfig(
        Durability durability,
        String directory,
        String fileName,
        String rotateSize,
        Duration rotateEvery,
        Integer buffer,
        Duration syncTimeout,
        Duration retryEvery,
        SyslogConfig syslog) {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB)");

    public AuditConfig {
        durability = durability == null ? Durability.SYNC : durability;
        fileName = fileName == null ? "audit.log" : fileName;
        buffer = buffer == null ? 8192 : buffer;
        syncTimeout = syncTimeout == null ? Duration.ofSeconds(5) : syncTimeout;
        retryEvery = retryEvery == null ? Duration.ofSeconds(1) : retryEvery;
        syslog = syslog == null ? SyslogConfig.OFF : syslog;
        if (durability != Durability.OFF && (directory == null || directory.isBlank())) {
            throw new IllegalArgumentException("directory is required unless durability is off");
        }
        if (fileName.contains("/") || fileName.startsWith(".") || fileName.isEmpty()) {
            throw new IllegalArgumentException("file-name must be a plain file name, not '" + fileName + "'");
        }
        if (rotateSize != null) {
            parseSize(rotateSize);
        }
        if (rotateEvery != null && rotateEvery.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("rotate-every must be at least 1s");
        }
        if (buffer < 1) {
            throw new IllegalArgumentException("buffer must be at least 1");
        }
        if (syncTimeout.isNegative() || syncTimeout.isZero() || retryEvery.isNegative() || retryEvery.isZero()) {
            throw new IllegalArgumentException("sync-timeout and retry-every must be positive");
        }
    }

    /**
     * Binds the {@code audit} section. There is no default: a deployment without an audit trail says so
     * ({@code durability: off}) rather than getting none by leaving the section out.
     */
    public static AuditConfig from(ConfigFile config) throws ConfigException {
        AuditConfig audit = config.section("audit", AuditConfig.class, null);
        if (audit == null) {
            throw new ConfigException(config.path(), 0, "audit",
                    "section missing: give a directory, or durability: off to run without an audit trail");
        }
        return audit;
    }

    public static AuditConfig sync(Path directory) {
        return new AuditConfig(Durability.SYNC, directory.toString(), null, null, null, null, null, null, null);
    }

    public Path file() {
        return Path.of(directory).resolve(fileName);
    }

    /** Bytes after which the file rotates, or 0 for never. */
    public long rotateBytes() {
        return rotateSize == null ? 0 : parseSize(rotateSize);
    }

    private static long parseSize(String text) {
        var m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("rotate-size '" + text + "' is not a size such as 64MiB, 1GiB or 1048576");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            default -> 1;
        };
        if (n < 1 || n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("rotate-size '" + text + "' is out of range");
        }
        return n * unit;
    }
}
