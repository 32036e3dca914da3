package io.lightbridge.acl;

import io.lightbridge.auth.Principal;
import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The policy in force, read from the {@code policy} section of the config file and replaced as a whole on
 * {@link #reload()} (SIGHUP) or when the file changes. A file that does not parse or bind is rejected with file,
 * line and reason, and the previous policy stays in force.
 */
public final class PolicyStore implements Authorizer, AutoCloseable {

    private final Path file;
    private final ServerLog log;
    private final ScheduledExecutorService watcher;
    private volatile Policy current;
    private FileStamp seen;
    private FileStamp settling;

    private PolicyStore(Path file, Policy initial, FileStamp stamp, long watchMillis, ServerLog log) {
        this.file = file;
        this.current = initial;
        this.seen = stamp;
        this.log = log;
        if (watchMillis > 0) {
            watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                    .name("lightbridge-policy-watch").daemon(true).factory());
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, watchMillis, watchMillis, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    /** Binds the {@code policy} section; an absent section denies everything (and says so). */
    public static PolicyStore load(ConfigFile config, ServerLog log) throws ConfigException {
        FileStamp stamp = FileStamp.of(config.path());
        PolicyConfig pc = section(config, log);
        log.info("policy: " + pc.rules().size() + " rules from " + config.path());
        return new PolicyStore(config.path(), Policy.compile(pc), stamp, pc.watchInterval().toMillis(), log);
    }

    @Override
    public Decision decide(Principal principal, Action action, String resource) {
        return current.decide(principal, action, resource);
    }

    /**
     * Re-reads the file's {@code policy} section. Returns true when the new policy is in force; on any error
     * logs file, line and reason and keeps the previous policy. The watch interval is fixed at load.
     */
    public synchronized boolean reload() {
        FileStamp stamp = FileStamp.of(file);
        try {
            ConfigFile config = ConfigFile.read(file);
            if (config.section("policy", PolicyConfig.class, null) == null) {
                // At start an absent section means deny-all; on reload it is far more likely a half-saved file.
                throw new ConfigException(file, 0, "policy", "section missing");
            }
            PolicyConfig pc = section(config, log);
            current = Policy.compile(pc);
            seen = stamp;
            log.info("policy reloaded: " + pc.rules().size() + " rules from " + file);
            return true;
        } catch (ConfigException e) {
            seen = stamp;
            log.warn("policy reload rejected, previous policy stays in force: " + e.getMessage());
            return false;
        }
    }

    /** Reloads once a change has held still for one interval, so a file caught mid-write is not read. */
    private synchronized void reloadIfChanged() {
        try {
            FileStamp now = FileStamp.of(file);
            if (Objects.equals(now, seen)) {
                settling = null;
            } else if (Objects.equals(now, settling)) {
                settling = null;
                reload();
            } else {
                settling = now;
            }
        } catch (RuntimeException e) {
            log.warn("policy watch: " + e);
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    private static PolicyConfig section(ConfigFile config, ServerLog log) throws ConfigException {
        PolicyConfig pc = config.section("policy", PolicyConfig.class, null);
        if (pc == null) {
            log.warn("policy: no policy section in " + config.path() + ", every guarded call is denied");
            return PolicyConfig.DENY_ALL;
        }
        return pc;
    }

    /** What tells a changed file apart: modification time, size and inode (editors replace files by rename). */
    private record FileStamp(long modifiedMillis, long size, Object fileKey) {
        static FileStamp of(Path file) {
            try {
                var attrs = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(attrs.lastModifiedTime().toMillis(), attrs.size(), attrs.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
    }
}
