package io.lightbridge.model;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The served models of a repository directory {@code <repo>/<model>/<version>/}. Versions are loaded on one background
 * thread (start-up, polling, admin load) and swapped in atomically; calls take a {@link ModelLease} so a retired
 * version's session closes only after its last call. Thread-safe; {@link #close()} is idempotent.
 */
public final class ModelRepository implements AutoCloseable {

    private static final long ADMIN_LOAD_TIMEOUT_MINUTES = 5;

    private final ModelsConfig config;
    private final ServerLog log;
    private final ModelListener listener;
    private final ModelStats stats = new ModelStats();
    private final Path root;
    private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loader;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ModelRepository(ModelsConfig config, ServerLog log, ModelListener extra) throws IOException {
        this.config = config;
        this.log = log;
        this.listener = ModelListener.both(stats, extra);
        this.root = config.repository() == null ? null : config.repository().toRealPath();
        this.loader = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("lb-model-loader").unstarted(r));
    }

    /**
     * Opens the repository and loads every served model before returning (so a version is ready, warm-up included,
     * when the server starts taking requests), then polls for changes every {@code pollInterval}.
     *
     * @throws IOException when the repository directory cannot be read
     */
    public static ModelRepository open(ModelsConfig config, ServerLog log) throws IOException {
        return open(config, log, ModelListener.NONE);
    }

    /** As {@link #open(ModelsConfig, ServerLog)}, also calling {@code listener} (metrics). */
    public static ModelRepository open(ModelsConfig config, ServerLog log, ModelListener listener)
            throws IOException {
        var repo = new ModelRepository(config, log, listener);
        try {
            repo.scan();
            repo.models.values().forEach(m -> m.reconcile(false));
            if (repo.root != null && !config.pollInterval().isZero()) {
                long ms = Math.max(1, config.pollInterval().toMillis());
                repo.loader.scheduleWithFixedDelay(repo::poll, ms, ms, TimeUnit.MILLISECONDS);
            }
            return repo;
        } catch (RuntimeException e) {
            repo.close();
            throw e;
        }
    }

    /**
     * The composition root's factory: binds the {@code models} section of {@code file} and opens the repository.
     * An unreadable repository directory is a configuration error naming {@code models.repository}.
     */
    public static ModelRepository start(ConfigFile file, ServerLog log, ModelListener listener)
            throws ConfigException {
        ModelsConfig config = ModelsConfig.from(file);
        try {
            return open(config, log, listener);
        } catch (IOException e) {
            throw new ConfigException(file.path(), 0, "models.repository", "cannot read the model repository: " + e);
        }
    }

    public ModelsConfig config() {
        return config;
    }

    /** Per-model counters (inferences, batches, cache, load failures) for metrics. */
    public ModelStats stats() {
        return stats;
    }

    /**
     * Pins the version a call should use: {@code version} null or empty → the {@code default} alias, else the highest
     * ready version; a number; or an alias from config.yaml.
     *
     * @throws ModelCallException NOT_FOUND for unknown models, versions and aliases; NOT_READY when the version exists
     *                            but is not served (failed to load, unloaded)
     */
    public ModelLease acquire(String model, String version) throws ModelCallException {
        ServedModel served = served(model);
        for (int attempt = 0; attempt < 100; attempt++) {
            ModelVersion mv = resolve(served, version);
            if (mv.acquire()) {
                return new ModelLease(mv);
            }
            // retired between lookup and acquire: the next snapshot is already published
            Thread.onSpinWait();
        }
        throw new ModelCallException(ModelCallException.Kind.NOT_READY, model + " is being swapped, retry");
    }

    private ServedModel served(String model) throws ModelCallException {
        if (closed.get()) {
            throw new ModelCallException(ModelCallException.Kind.NOT_READY, "the model repository is closed");
        }
        ServedModel served = ModelsConfig.isValidName(model) ? models.get(model) : null;
        if (served == null) {
            throw ModelCallException.notFound("unknown model '" + truncate(model) + "'");
        }
        return served;
    }

    private static ModelVersion resolve(ServedModel served, String requested) throws ModelCallException {
        ServedModel.State s = served.state();
        String name = served.name();
        if (s.unloaded()) {
            throw new ModelCallException(ModelCallException.Kind.NOT_READY, "model " + name + " is unloaded");
        }
        long v;
        if (requested == null || requested.isEmpty()) {
            Long alias = s.aliases().get(ModelConfig.DEFAULT_ALIAS);
            if (alias == null) {
                if (s.ready().isEmpty()) {
                    throw new ModelCallException(ModelCallException.Kind.NOT_READY, "model " + name + " has no ready version"
                            + (s.failed().isEmpty() ? "" : " (failed: " + describe(s.failed()) + ")"));
                }
                return s.ready().lastEntry().getValue();
            }
            v = alias;
        } else if (requested.matches("[1-9][0-9]{0,17}")) {
            v = Long.parseLong(requested);
        } else {
            Long alias = s.aliases().get(requested);
            if (alias == null) {
                throw ModelCallException.notFound("model " + name + " has no version or alias '" + truncate(requested) + "'");
            }
            v = alias;
        }
        ModelVersion mv = s.ready().get(v);
        if (mv != null) {
            return mv;
        }
        ServedModel.Failure f = s.failed().get(v);
        if (f != null) {
            throw new ModelCallException(ModelCallException.Kind.NOT_READY,
                    "model " + name + " version " + v + " failed to load: " + f.reason());
        }
        throw ModelCallException.notFound("model " + name + " version " + v + " is not served"
                + (s.onDisk().contains(v) ? " (not selected by its version policy)" : ""));
    }

    private static String describe(Map<Long, ServedModel.Failure> failed) {
        var sb = new StringBuilder();
        failed.forEach((v, f) -> sb.append(sb.isEmpty() ? "" : "; ").append(v).append(": ").append(f.reason()));
        return sb.toString();
    }

    /** The status of one version (or of the version unversioned calls would use); for the ready endpoints. */
    public VersionStatus status(String model, String version) throws ModelCallException {
        ServedModel served = served(model);
        try (ModelLease lease = acquire(model, version)) {
            return new VersionStatus(served.name(), lease.version().version(), VersionStatus.READY, "");
        } catch (ModelCallException e) {
            if (e.kind() == ModelCallException.Kind.NOT_READY) {
                return new VersionStatus(served.name(), version == null ? "" : version, VersionStatus.UNAVAILABLE,
                        e.getMessage());
            }
            throw e;
        }
    }

    /** Every model directory and version: ready, failed (with the reason) or not selected. */
    public List<VersionStatus> index() {
        var out = new ArrayList<VersionStatus>();
        models.values().stream().sorted(java.util.Comparator.comparing(ServedModel::name)).forEach(m -> {
            ServedModel.State s = m.state();
            var versions = new java.util.TreeSet<>(s.onDisk());
            versions.addAll(s.ready().keySet());
            for (long v : versions) {
                String ver = Long.toString(v);
                if (s.ready().containsKey(v)) {
                    out.add(new VersionStatus(m.name(), ver, VersionStatus.READY, ""));
                } else if (s.failed().containsKey(v)) {
                    out.add(new VersionStatus(m.name(), ver, VersionStatus.UNAVAILABLE, s.failed().get(v).reason()));
                } else {
                    out.add(new VersionStatus(m.name(), ver, VersionStatus.UNAVAILABLE,
                            s.unloaded() ? "unloaded" : "not selected by the version policy"));
                }
            }
            if (versions.isEmpty()) {
                out.add(new VersionStatus(m.name(), "", VersionStatus.UNAVAILABLE,
                        s.unloaded() ? "unloaded" : "no version directory"));
            }
        });
        return out;
    }

    /**
     * Loads (or reloads) a model now, on the loader thread, and waits: new versions and config.yaml changes apply.
     *
     * @throws ModelCallException NOT_FOUND when the directory does not exist; MODEL_FAILED naming the versions that
     *                            failed (the versions already served keep serving)
     */
    public void load(String model) throws ModelCallException {
        if (closed.get()) {
            throw new ModelCallException(ModelCallException.Kind.NOT_READY, "the model repository is closed");
        }
        Path dir = modelDir(model);
        if (dir == null) {
            throw ModelCallException.notFound("no model directory '" + truncate(model) + "' in the repository");
        }
        if (!config.serve().isEmpty() && !config.serve().contains(model)) {
            throw ModelCallException.notFound("model '" + model + "' is not in models.serve");
        }
        Map<Long, String> failures;
        try {
            failures = loader.submit(() -> models.computeIfAbsent(model,
                    m -> new ServedModel(m, dir, config, listener, log)).reconcile(true))
                    .get(ADMIN_LOAD_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(ModelCallException.Kind.NOT_READY, "interrupted while loading " + model);
        } catch (ExecutionException | TimeoutException e) {
            throw new ModelCallException(ModelCallException.Kind.MODEL_FAILED, "loading " + model + " failed: " + e, e);
        }
        if (!failures.isEmpty()) {
            var sb = new StringBuilder("loading " + model + " failed for version(s) ");
            failures.forEach((v, r) -> sb.append(v).append(": ").append(r).append("; "));
            sb.append("versions already served keep serving");
            throw new ModelCallException(ModelCallException.Kind.MODEL_FAILED, sb.toString());
        }
    }

    /** Stops serving a model; running calls finish first. Polling leaves it unloaded until an admin load. */
    public void unload(String model) throws ModelCallException {
        ServedModel served = served(model);
        try {
            loader.submit(served::unload).get(ADMIN_LOAD_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(ModelCallException.Kind.NOT_READY, "interrupted while unloading " + model);
        } catch (ExecutionException | TimeoutException e) {
            throw new ModelCallException(ModelCallException.Kind.MODEL_FAILED, "unloading " + model + " failed: " + e, e);
        }
    }

    /** True when every served model has a ready version (the server's readiness). */
    public boolean allReady() {
        return models.values().stream().allMatch(m -> m.state().unloaded() || !m.state().ready().isEmpty());
    }

    /** Runs one polling round now (tests; the scheduled poll calls the same). */
    void poll() {
        try {
            scan();
            models.values().forEach(m -> m.reconcile(false));
        } catch (RuntimeException e) {
            log.warn("model repository poll failed, retrying next round: " + e);
        }
    }

    /** Finds model directories; a model whose directory disappeared is retired. */
    private void scan() {
        if (root == null) {
            return;
        }
        var seen = new java.util.HashSet<String>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!Files.isDirectory(p) || !ModelsConfig.isValidName(name)
                        || (!config.serve().isEmpty() && !config.serve().contains(name)) || modelDir(name) == null) {
                    continue;
                }
                seen.add(name);
                models.computeIfAbsent(name, m -> new ServedModel(m, p, config, listener, log));
            }
        } catch (IOException e) {
            log.warn("cannot list model repository " + root + ": " + e.getMessage());
            return;
        }
        for (String name : List.copyOf(models.keySet())) {
            if (!seen.contains(name)) {
                ServedModel gone = models.remove(name);
                gone.close();
                log.info("model " + name + " removed: its directory is gone");
            }
        }
        for (String name : config.serve()) {
            if (!seen.contains(name)) {
                log.warn("model " + name + " is configured to be served but has no directory in " + root);
            }
        }
    }

    /** The model's directory when the name is valid and it resolves inside the repository (symlinks included). */
    private Path modelDir(String model) {
        if (root == null || !ModelsConfig.isValidName(model)) {
            return null;
        }
        try {
            Path real = root.resolve(model).toRealPath();
            return real.startsWith(root) && Files.isDirectory(real) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String truncate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    /** Stops polling and retires every version (sessions close when their running calls finish). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loader.shutdownNow();
        try {
            loader.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        models.values().forEach(ServedModel::close);
        models.clear();
    }
}
