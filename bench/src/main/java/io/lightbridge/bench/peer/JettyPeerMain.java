package io.lightbridge.bench.peer;

import io.lightbridge.log.ServerLog;
import io.lightbridge.app.Lightbridge;
import io.lightbridge.config.ConfigException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Runs peers (c) and (e): {@code java … JettyPeerMain CONFIG.yaml PORT}. The pipeline comes from
 * {@link Lightbridge#start}, reading the same YAML config mod_lightbridge reads; Jetty's threads run it.
 */
public final class JettyPeerMain {

    private JettyPeerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: JettyPeerMain CONFIG.yaml PORT");
            System.exit(2);
        }
        Lightbridge app;
        try {
            app = Lightbridge.start(Path.of(args[0]), Clock.systemUTC(), ServerLog.lines(System.err::println));
        } catch (ConfigException e) {
            System.err.println("jetty peer: " + e.getMessage());
            System.exit(2);
            return;
        }
        var server = new JettyPeer(app.pipeline(), "127.0.0.1", Integer.parseInt(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("jetty peer: stopping Jetty failed: " + e);
            }
            app.close();
        }, "jetty-peer-stop"));
        System.err.println("jetty peer: listening on 127.0.0.1:" + server.port() + " with " + args[0]);
    }
}
