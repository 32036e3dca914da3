package io.lightbridge.audit;

import io.lightbridge.log.ServerLog;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Sends each audit line as an RFC 5424 message ({@code <PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG}) to the
 * local syslog socket. Best effort: failures are counted and logged when the sink goes from working to failing,
 * not once per record. Used by the audit writer thread only.
 */
final class SyslogSink implements AutoCloseable {
    private static final int SEVERITY_INFO = 6;
    private static final int SEVERITY_NOTICE = 5;

    private final SyslogConfig config;
    private final String header;
    private final ServerLog log;
    private final AuditMetrics metrics;
    private UnixDatagramSocket socket;
    private boolean failing;

    SyslogSink(SyslogConfig config, ServerLog log, AuditMetrics metrics) {
        this.config = config;
        this.log = log;
        this.metrics = metrics;
        this.header = " " + hostName() + " " + config.appName() + " " + ProcessHandle.current().pid() + " audit - ";
    }

    /** Denials go out as notice, everything else as info, so a syslog filter can pick denials. */
    void send(Instant time, boolean allowed, String line) {
        int pri = config.facilityCode() * 8 + (allowed ? SEVERITY_INFO : SEVERITY_NOTICE);
        byte[] message = ("<" + pri + ">1 " + AuditLine.TIME.format(time) + header + line).getBytes(StandardCharsets.UTF_8);
        try {
            if (socket == null) {
                socket = new UnixDatagramSocket(config.socket());
            }
            socket.send(message);
            if (failing) {
                failing = false;
                log.info("audit syslog sink " + config.socket() + " works again");
            }
        } catch (IOException e) {
            metrics.syslogFailed();
            if (!failing) {
                failing = true;
                log.warn("audit syslog sink " + config.socket() + " failing (records stay in the file): " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name.isEmpty() || name.contains(" ") ? "-" : name;
        } catch (IOException e) {
            return "-";
        }
    }
}
