package io.lightbridge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.log.ServerLog;
import io.lightbridge.protocol.ModelPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models section, config.yaml (policies, aliases, errors), MLmodel checks and path safety. */
class RepositoryConfigTest {

    @TempDir
    Path tmp;

    @Test
    void modelsSectionBindsAndResolvesTheRepositoryAgainstTheConfigFile() throws Exception {
        var file = ConfigFile.of(tmp.resolve("lightbridge.yaml"), """
                models:
                  repository: models/repository
                  serve: [breast-cancer, digits]
                  poll-interval: 5s
                  default-model: breast-cancer
                  max-request-bytes: 1048576
                  max-intra-op-threads: 2
                """, Set.of("models"));
        ModelsConfig c = ModelsConfig.from(file);
        assertEquals(tmp.resolve("models/repository"), c.repository());
        assertEquals(List.of("breast-cancer", "digits"), c.serve());
        assertEquals(java.time.Duration.ofSeconds(5), c.pollInterval());
        assertEquals(1048576L, c.maxRequestBytes());
        assertEquals(2, c.maxIntraOpThreads());
        assertEquals(ModelsConfig.NONE, ModelsConfig.from(ConfigFile.of(tmp.resolve("x.yaml"), "", Set.of("models"))));
    }

    @Test
    void startServesTheCommittedSamplesFromTheRunSnippet() throws Exception {
        var file = ConfigFile.of(tmp.resolve("lightbridge.yaml"), "models:\n  repository: " + ModelPipeline.SAMPLES
                + "\n  serve: [breast-cancer, digits]\n  poll-interval: 2s\n  default-model: breast-cancer\n"
                + "  max-intra-op-threads: 2\n", Set.of("models"));
        try (var repository = ModelRepository.start(file, ServerLog.NONE, ModelListener.NONE)) {
            assertTrue(repository.allReady());
            assertEquals(List.of("breast-cancer", "digits"), repository.index().stream().map(VersionStatus::model).toList());
        }
        var missing = ConfigFile.of(tmp.resolve("l.yaml"), "models:\n  repository: nowhere\n", Set.of("models"));
        var e = assertThrows(ConfigException.class, () -> ModelRepository.start(missing, ServerLog.NONE, ModelListener.NONE));
        assertEquals("models.repository", e.key());
    }

    @Test
    void modelsSectionErrorsNameFileLineAndKey() {
        var e = assertThrows(ConfigException.class, () -> ModelsConfig.from(ConfigFile.of(tmp.resolve("l.yaml"),
                "models:\n  repository: r\n  poll-intervall: 5s\n", Set.of("models"))));
        assertTrue(e.line() >= 3, "names the line of the key (ConfigFile reports where the parser stood): " + e.line());
        assertTrue(e.getMessage().contains("unknown key 'poll-intervall'"), e.getMessage());
        var bad = assertThrows(ConfigException.class, () -> ModelsConfig.from(ConfigFile.of(tmp.resolve("l.yaml"),
                "models:\n  default-model: ../etc\n", Set.of("models"))));
        assertTrue(bad.getMessage().contains("is not a model name"), bad.getMessage());
    }

    @Test
    void configYamlErrorsNameFileAndKey() throws Exception {
        Path f = tmp.resolve("config.yaml");
        Files.writeString(f, "aliases:\n  champion: three\n");
        var e = assertThrows(ConfigException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("aliases.champion") && e.getMessage().contains(f.toString()), e.getMessage());
        Files.writeString(f, "version-policy:\n  latest: 2\n  all: true\n");
        e = assertThrows(ConfigException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("set exactly one of latest, all: true, specific"), e.getMessage());
        Files.writeString(f, "dynamic-batching:\n  max-batch-size: 1\n");
        e = assertThrows(ConfigException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("max-batch-size must be at least 2"), e.getMessage());
        Files.writeString(f, "threads: 4\n");
        e = assertThrows(ConfigException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("threads") && e.line() == 1, e.getMessage());
    }

    @Test
    void versionPoliciesAndAliasesChooseTheServedVersions() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        Path model = repo.resolve("breast-cancer");
        for (int v = 2; v <= 4; v++) {
            ModelPipeline.copyTree(ModelPipeline.TEST_MODELS.resolve("constant-half"), model.resolve(Integer.toString(v)));
        }
        Files.writeString(model.resolve("config.yaml"), "version-policy:\n  latest: 2\naliases:\n  champion: 1\n");
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE)) {
            assertEquals(List.of("1", "3", "4"), ready(repository));
            assertEquals("4", versionOf(repository, null));
            assertEquals("1", versionOf(repository, "champion"));
            var e = assertThrows(ModelCallException.class, () -> repository.acquire("breast-cancer", "2"));
            assertEquals(ModelCallException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains("not selected by its version policy"), e.getMessage());

            Files.writeString(model.resolve("config.yaml"), "version-policy:\n  specific: [2]\n");
            repository.load("breast-cancer");
            assertEquals(List.of("2"), ready(repository));

            Files.writeString(model.resolve("config.yaml"), "version-policy: {all: true}\naliases: {default: 3}\n");
            repository.load("breast-cancer");
            assertEquals(List.of("1", "2", "3", "4"), ready(repository));
            assertEquals("3", versionOf(repository, null));

            Files.writeString(model.resolve("config.yaml"), "version-policy: {all: tru\n");
            repository.load("breast-cancer");
            assertEquals(List.of("1", "2", "3", "4"), ready(repository), "a broken config.yaml keeps the previous settings");
        }
    }

    @Test
    void onlyTheModelsListedInServeAreServedOrLoadable() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "gather", "two-columns");
        var config = new ModelsConfig(repo, List.of("gather"), java.time.Duration.ZERO, null, null, null);
        try (var repository = ModelRepository.open(config, ServerLog.NONE)) {
            assertEquals(List.of("gather"), repository.index().stream().map(VersionStatus::model).toList());
            assertEquals(ModelCallException.Kind.NOT_FOUND,
                    assertThrows(ModelCallException.class, () -> repository.load("two-columns")).kind());
            assertEquals(ModelCallException.Kind.NOT_FOUND,
                    assertThrows(ModelCallException.class, () -> repository.acquire("two-columns", null)).kind());
        }
    }

    @Test
    void theHandWrittenNameCheckIsTheDocumentedPattern() {
        var random = new java.util.Random(5);
        String alphabet = "az09._-/A\\ ~é";
        for (int i = 0; i < 20_000; i++) {
            var sb = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String name = sb.toString();
            assertEquals(ModelsConfig.MODEL_NAME.matcher(name).matches(), ModelsConfig.isValidName(name), name);
        }
        assertTrue(!ModelsConfig.isValidName("a".repeat(129)), "names are at most 128 characters");
    }

    @Test
    void unloadStopsServingUntilTheNextLoad() throws Exception {
        try (var repository = ModelRepository.open(ModelPipeline.config(ModelPipeline.repositoryWith(tmp, "gather")), ServerLog.NONE)) {
            repository.unload("gather");
            var e = assertThrows(ModelCallException.class, () -> repository.acquire("gather", null));
            assertEquals(ModelCallException.Kind.NOT_READY, e.kind());
            assertEquals("unloaded", repository.index().getFirst().reason());
            repository.load("gather");
            assertEquals("1", versionOf(repository, "gather", null));
        }
    }

    @Test
    void aSignatureThatDisagreesWithTheModelFailsTheLoad() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        Path mlmodel = repo.resolve("breast-cancer").resolve("1").resolve("MLmodel");
        Files.writeString(mlmodel, Files.readString(mlmodel).replace("\\\"name\\\": \\\"input\\\"", "\\\"name\\\": \\\"features\\\"")
                .replace("\"name\": \"input\"", "\"name\": \"features\""));
        var log = new java.util.ArrayList<String>();
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.lines(log::add))) {
            VersionStatus s = repository.index().getFirst();
            assertEquals(VersionStatus.UNAVAILABLE, s.state());
            assertTrue(s.reason().contains("MLmodel signature names inputs [features] but the ONNX model has [input]"), s.reason());
            assertEquals(1, repository.stats().counters("breast-cancer").loadFailures());
            assertTrue(log.stream().anyMatch(l -> l.contains("failed to load")), log.toString());
            assertEquals(ModelCallException.Kind.NOT_READY,
                    assertThrows(ModelCallException.class, () -> repository.acquire("breast-cancer", null)).kind());
        }
    }

    @Test
    void namesOutsideTheRepositoryAreNeverReached() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "gather");
        Path outside = tmp.resolve("outside");
        ModelPipeline.copyTree(ModelPipeline.TEST_MODELS.resolve("gather"), outside.resolve("1"));
        Files.createSymbolicLink(repo.resolve("escape"), outside);
        Files.createDirectories(repo.resolve("Upper").resolve("1"));
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE)) {
            for (String name : List.of("escape", "..", "../outside", "Upper", "", ".hidden", "a/b")) {
                assertEquals(ModelCallException.Kind.NOT_FOUND,
                        assertThrows(ModelCallException.class, () -> repository.acquire(name, null)).kind(), name);
                assertEquals(ModelCallException.Kind.NOT_FOUND,
                        assertThrows(ModelCallException.class, () -> repository.load(name)).kind(), name);
            }
            assertEquals(List.of("gather"), repository.index().stream().map(VersionStatus::model).toList());
        }
    }

    private static List<String> ready(ModelRepository r) {
        return r.index().stream().filter(VersionStatus::ready).map(VersionStatus::version).toList();
    }

    private static String versionOf(ModelRepository r, String version) throws Exception {
        return versionOf(r, "breast-cancer", version);
    }

    private static String versionOf(ModelRepository r, String model, String version) throws Exception {
        try (ModelLease lease = r.acquire(model, version)) {
            return lease.version().version();
        }
    }
}
