package io.lightbridge.app;

import io.lightbridge.acl.PolicyStore;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.audit.AuditTrails;
import io.lightbridge.auth.Identity;
import io.lightbridge.auth.IdentityConfig;
import io.lightbridge.config.ConfigException;
import io.lightbridge.config.ConfigFile;
import io.lightbridge.diag.DiagnosticRoutes;
import io.lightbridge.log.ServerLog;
import io.lightbridge.metrics.Metrics;
import io.lightbridge.metrics.MetricsConfig;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Router;
import io.lightbridge.protocol.mlflow.InvocationRoutes;
import io.lightbridge.protocol.v2.ModelRoutes;
import io.lightbridge.protocol.v2.ServerRoutes;
import io.lightbridge.workers.WorkerPool;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The composition root: reads the configuration file, builds every component from its section and assembles the
 * pipeline (identity → policy → model → protocol → audit). The server bridge (or a test, or a benchmark peer)
 * starts it once and routes every request through {@link #pipeline()} and {@link #workers()}.
 */
public final class Lightbridge implements AutoCloseable {

    public static final Set<String> SECTIONS = ConfigFile.SECTIONS;
    public static final String SERVER_NAME = "lightbridge";
    private static final List<String> V2_EXTENSIONS = List.of("binary_tensor_data", "model_repository");

    private final ServerSettings settings;
    private final Metrics metrics;
    private final Identity identity;
    private final PolicyStore policy;
    private final AuditTrail audit;
    private final ModelRepository models;
    private final WorkerPool workers;
    private final Pipeline pipeline;
    private final ServerLog log;
    private final ExecutorService signalWork =
            Executors.newSingleThreadExecutor(Thread.ofVirtual().name("lightbridge-sighup").factory());
    private volatile boolean ready;

    private Lightbridge(ConfigFile config, Clock clock, ServerLog log) throws ConfigException {
        this.log = log;
        this.settings = config.section("server", ServerSettings.class, ServerSettings.defaults());
        this.metrics = new Metrics(config.section("metrics", MetricsConfig.class, MetricsConfig.DEFAULT));
        this.identity = Identity.create(config.section("identity", IdentityConfig.class, IdentityConfig.NONE), clock, log);
        this.policy = PolicyStore.load(config, log);
        this.audit = AuditTrails.fromSection(config, clock, log, metrics.auditMetrics());
        this.models = ModelRepository.start(config, log, metrics.modelListener());
        this.workers = new WorkerPool(settings.workers(), settings.queueCapacity(), settings.workerSpin(),
                settings.batchScheduling(), log, metrics::observeQueueWait);

        metrics.gaugeQueueDepth(workers::queueDepth);
        metrics.countBridgeRejections(workers::rejectedCount, workers::expiredCount);
        var identityStats = identity.stats();
        metrics.countJwks(identityStats::jwksFetches, identityStats::jwksFailures);

        var routers = new ArrayList<Router>();
        routers.add(new ServerRoutes(SERVER_NAME, Version.current(), V2_EXTENSIONS, () -> ready && models.allReady()));
        routers.add(ModelRoutes.create(models, log));
        routers.add(InvocationRoutes.create(models, log));
        routers.add(metrics.router());
        if (settings.diagnostics()) {
            routers.add(new DiagnosticRoutes(ServerRoutes.LIVE));
        }
        this.pipeline = new Pipeline(Router.firstOf(routers.toArray(Router[]::new)), identity, policy, audit,
                clock, log, metrics.callMetrics());
        this.ready = true;
    }

    /** Reads {@code configFile} and starts everything it configures. */
    public static Lightbridge start(Path configFile, Clock clock, ServerLog log) throws ConfigException {
        return new Lightbridge(ConfigFile.read(configFile), clock, log);
    }

    /**
     * Starts with every section at its defaults, for a server that names no configuration file: health answers,
     * and every guarded call is refused (no issuers, deny-all policy, no audit trail).
     */
    public static Lightbridge startWithDefaults(Clock clock, ServerLog log) throws ConfigException {
        return new Lightbridge(ConfigFile.of(Path.of("(no configuration file)"), ""), clock, log);
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

    public Metrics metrics() {
        return metrics;
    }

    /** True once every component has started, until {@link #close()}. */
    public boolean ready() {
        return ready;
    }

    /**
     * The server received SIGHUP (logrotate's convention): reopen the audit files and reload the policy.
     * Returns at once; the work runs on its own thread.
     */
    public void onSighup() {
        signalWork.execute(() -> {
            try {
                audit.reopen();
            } catch (RuntimeException e) {
                log.error("SIGHUP: reopening the audit trail failed: " + e);
            }
            policy.reload();
        });
    }

    @Override
    public void close() {
        ready = false;
        workers.close();
        signalWork.shutdown();
        models.close();
        policy.close();
        identity.close();
        audit.close();
    }
}
