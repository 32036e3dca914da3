package io.lightbridge.app;

import io.lightbridge.acl.Authorizer;
import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditRecord;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.audit.AuditUnavailableException;
import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.auth.Authenticator;
import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.diag.DiagnosticRoutes;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Router;
import io.lightbridge.protocol.v2.ServerRoutes;
import io.lightbridge.workers.WorkerPool;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The composition root: reads the configuration file, builds every component from its section and assembles the
 * pipeline. The server bridge (or a test) starts it once and routes every request through {@link #pipeline()}
 * and {@link #workers()}.
 */
public final class Lightbridge implements AutoCloseable {

    public static final Set<String> SECTIONS = Set.of("server", "identity", "policy", "audit", "metrics", "models");
    public static final String SERVER_NAME = "lightbridge";

    /*
     * Placeholders until the identity, policy and audit components are merged: this branch has no guarded routes,
     * so none of these is ever reached. They fail closed if one were.
     */
    private static final Authenticator IDENTITY_NOT_YET_MERGED = request -> {
        throw new AuthenticationException(AuthenticationException.Fault.SERVER, "identity_unavailable",
                "identity verification is not part of this build");
    };
    private static final Authorizer POLICY_NOT_YET_MERGED_DENY_ALL =
            (principal, action, resource) -> new Decision(false, "policy not part of this build: deny all");
    private static final AuditTrail AUDIT_NOT_YET_MERGED_UNAVAILABLE = new AuditTrail() {
        @Override
        public void ensureWritable() throws AuditUnavailableException {
            throw new AuditUnavailableException("the audit trail is not part of this build", null);
        }

        @Override
        public void append(AuditRecord record) throws AuditUnavailableException {
            ensureWritable();
        }
    };

    private final ServerSettings settings;
    private final WorkerPool workers;
    private final Pipeline pipeline;
    private final AuditTrail audit;
    private final Consumer<String> errorLog;
    private final ExecutorService signalWork =
            Executors.newSingleThreadExecutor(Thread.ofVirtual().name("lightbridge-sighup").factory());
    private volatile boolean ready;

    private Lightbridge(ServerSettings settings, Clock clock, Consumer<String> errorLog) {
        this.settings = settings;
        this.errorLog = errorLog;
        this.workers = new WorkerPool(settings.workers(), settings.queueCapacity(), settings.workerSpin(),
                settings.batchScheduling(), errorLog);
        this.audit = AUDIT_NOT_YET_MERGED_UNAVAILABLE;
        var serverRoutes = new ServerRoutes(SERVER_NAME, Version.current(), List.of(), this::ready);
        Router router = settings.diagnostics()
                ? Router.firstOf(serverRoutes, new DiagnosticRoutes(ServerRoutes.LIVE))
                : Router.firstOf(serverRoutes);
        this.pipeline = new Pipeline(router, IDENTITY_NOT_YET_MERGED, POLICY_NOT_YET_MERGED_DENY_ALL, audit,
                clock, errorLog);
        this.ready = true;
    }

    /** Reads {@code configFile} and starts everything it configures. */
    public static Lightbridge start(Path configFile, Clock clock, Consumer<String> errorLog) throws ConfigException {
        return start(ConfigFile.read(configFile, SECTIONS), clock, errorLog);
    }

    /** Starts with every section at its defaults, for a server that names no configuration file. */
    public static Lightbridge startWithDefaults(Clock clock, Consumer<String> errorLog) throws ConfigException {
        return start(ConfigFile.of(Path.of("(no configuration file)"), "", SECTIONS), clock, errorLog);
    }

    private static Lightbridge start(ConfigFile config, Clock clock, Consumer<String> errorLog) throws ConfigException {
        ServerSettings server = config.section("server", ServerSettings.class, ServerSettings.defaults());
        return new Lightbridge(server, clock, errorLog);
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public WorkerPool workers() {
        return workers;
    }

    public ServerSettings settings() {
        return settings;
    }

    /** True once every component has started, until {@link #close()}. */
    public boolean ready() {
        return ready;
    }

    /** The server received SIGHUP (log rotation): reopen files. Returns at once; the work runs on its own thread. */
    public void onSighup() {
        signalWork.execute(() -> {
            try {
                audit.reopen();
            } catch (RuntimeException e) {
                errorLog.accept("SIGHUP: reopening the audit trail failed: " + e);
            }
        });
    }

    @Override
    public void close() {
        ready = false;
        workers.close();
        signalWork.shutdown();
        audit.close();
    }
}
