package io.lightbridge.model;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code models:} section of the Lightbridge configuration.
 *
 * @param repository          the model repository directory ({@code <repo>/<model>/<version>/}); relative paths are
 *                            resolved against the configuration file's directory. Null: no models are served.
 * @param serve               the models to serve; empty serves every valid model directory in the repository
 * @param pollInterval        how often the repository is scanned for new versions and changed config.yaml files;
 *                            zero turns polling off (admin {@code load} still works)
 * @param defaultModel        the model {@code POST /invocations} scores (MLflow serves one model per server), or null
 * @param maxRequestBytes     the largest request body the model routes accept (413 above it); lighttpd enforces its own
 * @param maxIntraOpThreads   the cap on any model's intra-op threads, so the cores are not oversubscribed
 */
public record ModelsConfig(Path repository, List<String> serve, Duration pollInterval, String defaultModel,
                           Long maxRequestBytes, Integer maxIntraOpThreads) {

    /** What model directory names may be: no dots or slashes first, so no request can name a path outside the repository. */
    public static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public static final ModelsConfig NONE = new ModelsConfig(null, List.of(), Duration.ZERO, null, null, null);

    public ModelsConfig {
        serve = serve == null ? List.of() : List.copyOf(serve);
        for (String name : serve) {
            if (!isValidName(name)) {
                throw new IllegalArgumentException("serve: '" + name + "' is not a model name ([a-z0-9][a-z0-9._-]*)");
            }
        }
        pollInterval = pollInterval == null ? Duration.ofSeconds(2) : pollInterval;
        if (pollInterval.isNegative()) {
            throw new IllegalArgumentException("poll-interval must not be negative");
        }
        if (defaultModel != null && !isValidName(defaultModel)) {
            throw new IllegalArgumentException("default-model: '" + defaultModel + "' is not a model name");
        }
        maxRequestBytes = maxRequestBytes == null ? 64L << 20 : maxRequestBytes;
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("max-request-bytes must be positive");
        }
        maxIntraOpThreads = maxIntraOpThreads == null ? Runtime.getRuntime().availableProcessors() : maxIntraOpThreads;
        if (maxIntraOpThreads < 1) {
            throw new IllegalArgumentException("max-intra-op-threads must be at least 1");
        }
    }

    /** Binds the {@code models} section and resolves a relative repository path against the file's directory. */
    public static ModelsConfig from(ConfigFile file) throws ConfigException {
        ModelsConfig c = file.section("models", ModelsConfig.class, NONE);
        if (c.repository == null || c.repository.isAbsolute()) {
            return c;
        }
        Path base = file.path().toAbsolutePath().getParent();
        return c.withRepository(base == null ? c.repository.toAbsolutePath() : base.resolve(c.repository).normalize());
    }

    public ModelsConfig withRepository(Path dir) {
        return new ModelsConfig(dir, serve, pollInterval, defaultModel, maxRequestBytes, maxIntraOpThreads);
    }

    public ModelsConfig withPollInterval(Duration interval) {
        return new ModelsConfig(repository, serve, interval, defaultModel, maxRequestBytes, maxIntraOpThreads);
    }

    public ModelsConfig withDefaultModel(String name) {
        return new ModelsConfig(repository, serve, pollInterval, name, maxRequestBytes, maxIntraOpThreads);
    }

    public ModelsConfig withMaxRequestBytes(long bytes) {
        return new ModelsConfig(repository, serve, pollInterval, defaultModel, bytes, maxIntraOpThreads);
    }

    /** {@link #MODEL_NAME}, checked by hand: it runs on every model request. */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.length() > 128 || !lowerOrDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!lowerOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean lowerOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}
