package io.lightbridge.model;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's optional {@code <repo>/<model>/config.yaml}: which versions to serve, aliases, threads, batching, caching.
 * Absent keys take the defaults (latest version only, no aliases, one intra-op thread, no batching, no cache).
 */
public record ModelConfig(VersionPolicy versionPolicy, Map<String, Long> aliases, Integer intraOpThreads,
                          DynamicBatching dynamicBatching, PredictionCacheConfig cache) {

    /** The alias unversioned requests resolve to when set; otherwise they go to the highest ready version. */
    public static final String DEFAULT_ALIAS = "default";

    static final Set<String> KEYS = Set.of("version-policy", "aliases", "intra-op-threads", "dynamic-batching", "cache");

    public static final ModelConfig DEFAULTS = new ModelConfig(VersionPolicy.LATEST_ONE, Map.of(), null, null, null);

    public ModelConfig {
        versionPolicy = versionPolicy == null ? VersionPolicy.LATEST_ONE : versionPolicy;
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        if (intraOpThreads != null && intraOpThreads < 1) {
            throw new IllegalArgumentException("intra-op-threads must be at least 1");
        }
    }

    /** Triton's version policies: the latest N versions, all, or a specific list. Exactly one is set. */
    public record VersionPolicy(Integer latest, Boolean all, List<Long> specific) {
        public static final VersionPolicy LATEST_ONE = new VersionPolicy(1, null, null);

        public VersionPolicy {
            int set = (latest != null ? 1 : 0) + (Boolean.TRUE.equals(all) ? 1 : 0) + (specific != null ? 1 : 0);
            if (set != 1) {
                throw new IllegalArgumentException("set exactly one of latest, all: true, specific");
            }
            if (latest != null && latest < 1) {
                throw new IllegalArgumentException("latest must be at least 1");
            }
            specific = specific == null ? null : List.copyOf(specific);
        }

        /** The versions to serve out of those available (sorted ascending). */
        List<Long> select(List<Long> available) {
            if (Boolean.TRUE.equals(all)) {
                return available;
            }
            if (specific != null) {
                return available.stream().filter(specific::contains).toList();
            }
            return available.subList(Math.max(0, available.size() - latest), available.size());
        }
    }

    /** Triton-style dynamic batching: concurrent requests run as one batch of up to {@code maxBatchSize} rows. */
    public record DynamicBatching(Integer maxBatchSize, Long maxQueueDelayUs) {
        public DynamicBatching {
            maxBatchSize = maxBatchSize == null ? 32 : maxBatchSize;
            maxQueueDelayUs = maxQueueDelayUs == null ? 100L : maxQueueDelayUs;
            if (maxBatchSize < 2) {
                throw new IllegalArgumentException("max-batch-size must be at least 2");
            }
            if (maxQueueDelayUs < 0 || maxQueueDelayUs > 1_000_000) {
                throw new IllegalArgumentException("max-queue-delay-us must be between 0 and 1000000");
            }
        }
    }

    /** A bounded prediction cache; entries are keyed by model version and input digest. */
    public record PredictionCacheConfig(Long maxEntries, Duration expireAfterWrite) {
        public PredictionCacheConfig {
            maxEntries = maxEntries == null ? 10_000L : maxEntries;
            if (maxEntries < 1) {
                throw new IllegalArgumentException("max-entries must be at least 1");
            }
            if (expireAfterWrite != null && (expireAfterWrite.isNegative() || expireAfterWrite.isZero())) {
                throw new IllegalArgumentException("expire-after-write must be positive");
            }
        }
    }

    /** Reads {@code file} when it exists; errors name the file, line and key. */
    public static ModelConfig read(Path file) throws ConfigException {
        if (!Files.isRegularFile(file)) {
            return DEFAULTS;
        }
        ConfigFile yaml = ConfigFile.read(file, KEYS);
        Map<?, ?> rawAliases = yaml.section("aliases", Map.class, Map.of());
        var aliases = new LinkedHashMap<String, Long>();
        for (var e : rawAliases.entrySet()) {
            String alias = String.valueOf(e.getKey());
            if (!ModelsConfig.isValidName(alias) || alias.chars().allMatch(Character::isDigit)) {
                throw new ConfigException(file, 0, "aliases." + alias, "an alias is a name ([a-z0-9][a-z0-9._-]*), not a number");
            }
            try {
                long v = Long.parseLong(String.valueOf(e.getValue()));
                if (v < 1) {
                    throw new NumberFormatException();
                }
                aliases.put(alias, v);
            } catch (NumberFormatException ex) {
                throw new ConfigException(file, 0, "aliases." + alias, "must name a version number, not '" + e.getValue() + "'");
            }
        }
        return new ModelConfig(
                yaml.section("version-policy", VersionPolicy.class, VersionPolicy.LATEST_ONE),
                aliases,
                yaml.section("intra-op-threads", Integer.class, null),
                yaml.section("dynamic-batching", DynamicBatching.class, null),
                yaml.section("cache", PredictionCacheConfig.class, null));
    }
}
