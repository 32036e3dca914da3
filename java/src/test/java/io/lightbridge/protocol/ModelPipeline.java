package io.lightbridge.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.acl.Action;
import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditRecord;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.auth.Principal;
import io.lightbridge.log.ServerLog;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.ModelsConfig;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Router;
import io.lightbridge.protocol.mlflow.InvocationRoutes;
import io.lightbridge.protocol.v2.ModelRoutes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The real Pipeline with both model routers over a real repository, a test identity ("Bearer admin|alice|bob") and
 * policy (admin: everything; alice: infer + metadata; bob: metadata), and an in-memory audit trail.
 */
public final class ModelPipeline implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    /** The committed sample repository, from the java module's directory. */
    public static final Path SAMPLES = Path.of("..", "models", "repository").toAbsolutePath().normalize();
    public static final Path TEST_MODELS = Path.of("src", "test", "resources", "models").toAbsolutePath();

    public final ModelRepository repository;
    public final Pipeline pipeline;
    public final ConcurrentLinkedQueue<AuditRecord> audit = new ConcurrentLinkedQueue<>();
    public final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
    public final ServerLog serverLog = ServerLog.lines(log::add);

    public ModelPipeline(ModelsConfig config) throws IOException {
        this.repository = ModelRepository.open(config, serverLog);
        Router router = Router.firstOf(ModelRoutes.create(repository, serverLog), InvocationRoutes.create(repository, serverLog));
        AuditTrail trail = new AuditTrail() {
            @Override
            public void ensureWritable() {}

            @Override
            public void append(AuditRecord record) {
                audit.add(record);
            }
        };
        this.pipeline = new Pipeline(router, ModelPipeline::authenticate, ModelPipeline::authorize, trail,
                Clock.systemUTC(), serverLog);
    }

    /** A repository directory under {@code tmp} holding copies of the named sample and test models as version 1. */
    public static Path repositoryWith(Path tmp, String... models) throws IOException {
        Path repo = tmp.resolve("repo");
        for (String m : models) {
            Path from = Files.isDirectory(SAMPLES.resolve(m)) ? SAMPLES.resolve(m).resolve("1") : TEST_MODELS.resolve(m);
            copyTree(from, repo.resolve(m).resolve("1"));
        }
        Files.createDirectories(repo);
        return repo;
    }

    public static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName().toString()));
            }
        }
    }

    public static ModelsConfig config(Path repo) {
        return new ModelsConfig(repo, List.of(), java.time.Duration.ZERO, null, null, null);
    }

    static Principal authenticate(Request request) throws AuthenticationException {
        String auth = request.header("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            throw new AuthenticationException(AuthenticationException.Fault.CALLER, "missing_token", "no bearer token");
        }
        String who = auth.substring(7);
        return new Principal(who, "test-issuer", null, Set.of(), Set.of(who), Set.of(), null, null, Map.of());
    }

    static Decision authorize(Principal p, Action action, String resource) {
        boolean allowed = switch (p.subject()) {
            case "admin" -> true;
            case "alice" -> action == Action.INFER || action == Action.METADATA;
            case "bob" -> action == Action.METADATA;
            default -> false;
        };
        return allowed ? new Decision(true, "test:" + p.subject()) : Decision.defaultDeny();
    }

    public Response call(String method, String path, String body) {
        return call(method, path, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer admin", "Content-Type", "application/json");
    }

    public Response call(String method, String path, byte[] body, String... headers) {
        String query = "";
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        return pipeline.handle(new Request(method, path, query, Headers.of(headers), "127.0.0.1", body));
    }

    public static JsonNode json(Response r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        repository.close();
    }
}
