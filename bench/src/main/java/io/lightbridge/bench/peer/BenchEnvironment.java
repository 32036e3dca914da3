package io.lightbridge.bench.peer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the pieces the peers need are on this machine. Set by ./lightbridge bench through system properties,
 * with defaults relative to the checkout.
 *
 * @param javaHome      the JDK that runs the Jetty peer and is embedded by mod_lightbridge
 * @param classpath     the bench module's class path (target/classes + target/lib/*), for the Jetty peer's JVM
 * @param lightbridgeJar java/target/lightbridge.jar, loaded by mod_lightbridge
 * @param moduleFile    the built mod_lightbridge.so
 * @param nodePeerDir   bench/node-peer with its node_modules installed
 */
public record BenchEnvironment(Path root, Path javaHome, String classpath, Path lightbridgeJar, Path moduleFile,
                               Path nodePeerDir) {

    public static BenchEnvironment fromSystemProperties() {
        Path root = Path.of(System.getProperty("lightbridge.root", ".")).toAbsolutePath().normalize();
        return new BenchEnvironment(root,
                Path.of(System.getProperty("lightbridge.java-home", System.getProperty("java.home"))),
                System.getProperty("java.class.path"),
                Path.of(System.getProperty("lightbridge.jar", root.resolve("java/target/lightbridge.jar").toString())),
                Path.of(System.getProperty("lightbridge.module",
                        root.resolve("lighttpd-module/target/cmake/mod_lightbridge.so").toString())),
                Path.of(System.getProperty("lightbridge.bench.node-peer", root.resolve("bench/node-peer").toString())));
    }

    /** The module and the jar it loads, or an error that names what is missing and how to get it. */
    public void requireModule() {
        if (!Files.isRegularFile(moduleFile)) {
            throw new IllegalStateException("peer (b) needs the built module " + moduleFile
                    + " (build it with ./lightbridge bench, which runs mvn package, or set -Dlightbridge.module)");
        }
        if (!Files.isRegularFile(lightbridgeJar)) {
            throw new IllegalStateException("peer (b) needs " + lightbridgeJar + " (mvn package in java/)");
        }
    }

    public void requireNodePeer() {
        if (!Files.isDirectory(nodePeerDir.resolve("node_modules"))) {
            throw new IllegalStateException("peer (d) needs " + nodePeerDir.resolve("node_modules")
                    + ": run `ONNXRUNTIME_NODE_INSTALL=skip npm ci` in " + nodePeerDir + " (./lightbridge bench does)");
        }
    }
}
