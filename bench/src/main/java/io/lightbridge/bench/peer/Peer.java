package io.lightbridge.bench.peer;

import java.util.ArrayList;
import java.util.List;

/**
 * One running peer: where to send requests, which processes do its serving (their CPU and RSS are measured),
 * and the settings it runs with, for the report.
 *
 * @param id        "a" … "e"
 * @param name      e.g. "lighttpd + mod_lightbridge"
 * @param processes front process first; closed in reverse order
 */
public record Peer(String id, String name, String host, int port, List<ServerProcess> processes,
                   List<String> settings) implements AutoCloseable {

    public Peer {
        processes = List.copyOf(processes);
        settings = List.copyOf(settings);
    }

    public String label() {
        return "(" + id + ") " + name;
    }

    public List<Long> pids() {
        return processes.stream().map(ServerProcess::pid).toList();
    }

    /** Fails loudly when a process of this peer died during a run. */
    public void checkAlive() {
        for (ServerProcess p : processes) {
            if (!p.isAlive()) {
                throw new IllegalStateException(label() + ": a server process died; its log " + p.log() + ":\n" + p.tail());
            }
        }
    }

    @Override
    public void close() {
        var reversed = new ArrayList<>(processes);
        java.util.Collections.reverse(reversed);
        reversed.forEach(ServerProcess::close);
    }
}
