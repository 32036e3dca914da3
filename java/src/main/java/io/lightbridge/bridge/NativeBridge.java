package io.lightbridge.bridge;

import io.lightbridge.app.Lightbridge;
import io.lightbridge.app.Version;
import io.lightbridge.config.ConfigException;
import io.lightbridge.log.ServerLog;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The one JNI entry point. The server calls {@link #bootstrap} once per (re-)initialisation with its function table;
 * everything after that crosses with FFM through the returned table.
 */
public final class NativeBridge {

    private static final NativeBridge PROCESS = new NativeBridge(Clock.systemUTC());

    private final Clock clock;
    private NativeApi server;        // guarded by this
    private MemorySegment javaApi;   // guarded by this; set once started
    private Lightbridge runtime;     // guarded by this; set once started

    NativeBridge(Clock clock) {
        this.clock = clock;
    }

    /**
     * Called by the server through JNI: {@code jlong bootstrap(jlong nativeApiAddress, jstring configPath)}.
     * Starts the runtime from the config file (all defaults when {@code configPath} is empty) and returns the
     * address of the {@code lb_java_api} table, or 0 after writing the reason into the server's error log. A second call (the server re-initialised in the same process)
     * picks up the new function table and returns the same Java table: the runtime starts once per process.
     */
    public static long bootstrap(long nativeApiAddress, String configPath) {
        return PROCESS.start(nativeApiAddress, configPath);
    }

    synchronized long start(long nativeApiAddress, String configPath) {
        try {
            if (server == null) {
                server = NativeApi.bind(nativeApiAddress);
            } else {
                server.rebind(nativeApiAddress);
            }
        } catch (AbiMismatchException | RuntimeException e) {
            // Without a trusted table there is no server log to write to.
            System.err.println("lightbridge: cannot start: " + e.getMessage());
            return 0;
        }
        try {
            if (javaApi == null) {
                javaApi = startRuntime(configPath == null ? "" : configPath);
            } else {
                server.log(AbiLayouts.LOG_INFO, "re-initialised; the runtime keeps running (configuration from "
                        + "the first start; restart the process to apply changes)");
            }
            return javaApi.address();
        } catch (ConfigException e) {
            server.log(AbiLayouts.LOG_ERROR, "configuration error: " + e.getMessage());
        } catch (Throwable t) {
            server.log(AbiLayouts.LOG_ERROR, "cannot start: " + t);
        }
        return 0;
    }

    /** The started runtime, or null before a successful start. */
    synchronized Lightbridge runtime() {
        return runtime;
    }

    private MemorySegment startRuntime(String configPath) throws ConfigException {
        ServerLog log = serverLog(server);
        Lightbridge app = configPath.isBlank()
                ? Lightbridge.startWithDefaults(clock, log)
                : Lightbridge.start(Path.of(configPath), clock, log);
        MemorySegment table;
        try {
            var dispatcher = new ExchangeDispatcher(server, app.pipeline(), app.workers(),
                    app.settings().queueTimeout().toNanos(), app::onSighup);
            table = JavaApiTable.create(dispatcher);
        } catch (RuntimeException | Error e) {
            app.close();
            throw e;
        }
        runtime = app;
        server.log(AbiLayouts.LOG_INFO, "started " + Version.current() + " from "
                + (configPath.isBlank() ? "defaults (lightbridge.config not set)" : configPath) + ": "
                + app.settings().workers() + " workers, queue " + app.settings().queueCapacity()
                + (app.settings().diagnostics() ? ", diagnostic routes ON" : ""));
        return table;
    }

    /** The components' log lines, each at its own level, into the server's error log (and syslog priority). */
    private static ServerLog serverLog(NativeApi server) {
        return (level, message) -> server.log(switch (level) {
            case INFO -> AbiLayouts.LOG_INFO;
            case WARN -> AbiLayouts.LOG_WARN;
            case ERROR -> AbiLayouts.LOG_ERROR;
        }, message);
    }
}
