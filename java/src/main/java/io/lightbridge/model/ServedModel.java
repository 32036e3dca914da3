package io.lightbridge.model;

import io.lightbridge.config.ConfigException;
import io.lightbridge.log.ServerLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One model directory and the versions of it that are served. Requests read an immutable {@link State} snapshot;
 * {@link #reconcile()} (one at a time) loads what the directory and config.yaml ask for in the background, publishes
 * the new snapshot atomically and only then retires what it replaced. A version that fails to load is remembered with
 * its files' fingerprint (retried when the files change) and the versions already served keep serving.
 */
final class ServedModel {

    /** A version that failed to load, with the fingerprint of the files that failed. */
    record Failure(String reason, String fingerprint) {}

    /** What requests see: ready versions, failures, aliases. Never mutated. */
    record State(TreeMap<Long, ModelVersion> ready, Map<Long, Failure> failed, Map<String, Long> aliases,
                 Map<Long, String> fingerprints, TreeSet<Long> onDisk, boolean unloaded) {
        static final State EMPTY = new State(new TreeMap<>(), Map.of(), Map.of(), Map.of(), new TreeSet<>(), false);
    }

    private final String name;
    private final Path dir;
    private final ModelsConfig global;
    private final ModelListener listener;
    private final ServerLog log;
    private final AtomicReference<State> state = new AtomicReference<>(State.EMPTY);
    private ModelConfig config = ModelConfig.DEFAULTS;
    private PredictionCache cache;

    ServedModel(String name, Path dir, ModelsConfig global, ModelListener listener, ServerLog log) {
        this.name = name;
        this.dir = dir;
        this.global = global;
        this.listener = listener;
        this.log = log;
    }

    String name() {
        return name;
    }

    State state() {
        return state.get();
    }

    /**
     * Brings the served versions in line with the directory and config.yaml.
     *
     * @return the failures of this round (version → reason), empty when everything wanted loaded
     */
    synchronized Map<Long, String> reconcile(boolean adminLoad) {
        State old = state.get();
        if (old.unloaded && !adminLoad) {
            return Map.of();
        }
        readConfig();
        TreeMap<Long, Path> disk = versionsOnDisk();
        var fingerprints = new HashMap<Long, String>();
        disk.forEach((v, p) -> fingerprints.put(v, fingerprint(p)));

        var failed = new HashMap<Long, Failure>();
        old.failed.forEach((v, f) -> {
            if (f.fingerprint.equals(fingerprints.get(v))) {
                failed.put(v, f);
            }
        });
        var candidates = new ArrayList<Long>();
        disk.keySet().stream().filter(v -> !failed.containsKey(v)).forEach(candidates::add);

        var fresh = new TreeMap<Long, ModelVersion>();
        var roundFailures = new TreeMap<Long, String>();
        for (long v : wanted(candidates)) {
            ModelVersion served = old.ready.get(v);
            if (served != null && fingerprints.get(v).equals(old.fingerprints.get(v))) {
                continue;
            }
            try {
                fresh.put(v, ModelVersion.load(name, v, disk.get(v), config, global.maxIntraOpThreads(), cache, listener));
                listener.loaded(name, Long.toString(v));
                log.info("model " + name + " version " + v + " loaded");
            } catch (ModelVersion.LoadFailure e) {
                failed.put(v, new Failure(e.getMessage(), fingerprints.get(v)));
                roundFailures.put(v, e.getMessage());
                listener.loadFailed(name, Long.toString(v), e.getMessage());
                log.error("model " + name + " version " + v + " failed to load, previous versions keep serving: "
                        + e.getMessage());
            }
        }
        var loadable = new TreeMap<Long, ModelVersion>();
        old.ready.forEach((v, mv) -> {
            if (disk.containsKey(v) && !fresh.containsKey(v)) {
                loadable.put(v, mv);
            }
        });
        loadable.putAll(fresh);
        var ready = new TreeMap<Long, ModelVersion>();
        for (long v : wanted(new ArrayList<>(loadable.keySet()))) {
            ready.put(v, loadable.get(v));
        }
        var servedPrints = new HashMap<Long, String>();
        ready.keySet().forEach(v -> servedPrints.put(v, fresh.containsKey(v) ? fingerprints.get(v) : old.fingerprints.get(v)));
        state.set(new State(ready, Map.copyOf(failed), config.aliases(), Map.copyOf(servedPrints),
                new TreeSet<>(disk.keySet()), false));
        retireReplaced(old.ready, ready);
        fresh.forEach((v, mv) -> {
            if (ready.get(v) != mv) {
                mv.close();
            }
        });
        return roundFailures;
    }

    /** The version policy's choice plus every alias target, among {@code available} (ascending). */
    private List<Long> wanted(List<Long> available) {
        var sorted = new ArrayList<>(available);
        sorted.sort(null);
        var want = new TreeSet<>(config.versionPolicy().select(sorted));
        config.aliases().values().stream().filter(sorted::contains).forEach(want::add);
        return new ArrayList<>(want);
    }

    /** Stops serving every version (admin unload); polling leaves the model alone until an admin load. */
    synchronized void unload() {
        State old = state.get();
        state.set(new State(new TreeMap<>(), old.failed, old.aliases, Map.of(), old.onDisk, true));
        retireReplaced(old.ready, Map.of());
    }

    private void retireReplaced(Map<Long, ModelVersion> before, Map<Long, ModelVersion> after) {
        before.forEach((v, mv) -> {
            if (after.get(v) != mv) {
                mv.close();
                listener.unloaded(name, Long.toString(v));
                log.info("model " + name + " version " + v + " retired; it closes when its running calls finish");
            }
        });
    }

    private void readConfig() {
        try {
            ModelConfig next = ModelConfig.read(dir.resolve("config.yaml"));
            if (cache == null || !java.util.Objects.equals(next.cache(), config.cache())) {
                cache = next.cache() == null ? null : new PredictionCache(next.cache());
            }
            config = next;
        } catch (ConfigException e) {
            log.warn("model " + name + ": config.yaml not applied, keeping the previous settings: " + e.getMessage());
        }
    }

    /** Numeric subdirectories: Triton's and MLflow's version numbers. */
    private TreeMap<Long, Path> versionsOnDisk() {
        var out = new TreeMap<Long, Path>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String f = p.getFileName().toString();
                if (f.matches("[1-9][0-9]{0,17}") && Files.isDirectory(p)) {
                    out.put(Long.parseLong(f), p);
                }
            }
        } catch (IOException e) {
            log.warn("model " + name + ": cannot list " + dir + ": " + e.getMessage());
        }
        return out;
    }

    /** Names, sizes and modification times of a version's files: changes when files are replaced or finish copying. */
    private static String fingerprint(Path versionDir) {
        var sb = new StringBuilder();
        try (var files = Files.walk(versionDir, 3)) {
            for (Path p : files.sorted().toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (a.isRegularFile()) {
                    sb.append(versionDir.relativize(p)).append(':').append(a.size()).append(':')
                            .append(a.lastModifiedTime().toMillis()).append(';');
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            sb.append("unreadable:").append(e.getMessage());
        }
        return sb.toString();
    }

    /** Retires every version at shutdown. */
    synchronized void close() {
        State old = state.getAndSet(State.EMPTY);
        old.ready.values().forEach(ModelVersion::close);
    }
}
