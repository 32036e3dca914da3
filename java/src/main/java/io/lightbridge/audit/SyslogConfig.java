package io.lightbridge.audit;

import java.util.Map;

/**
 * The second audit sink: each record as an RFC 5424 message on a local syslog datagram socket, from where
 * rsyslog or journald forward it (to a central store the web server cannot rewrite). Best effort: a record the
 * socket refuses is counted and logged, the file stays the record of truth.
 *
 * @param facility a syslog facility name (e.g. local0, authpriv)
 */
public record SyslogConfig(Boolean enabled, String socket, String facility, String appName) {

    static final Map<String, Integer> FACILITIES = Map.ofEntries(
            Map.entry("user", 1), Map.entry("daemon", 3), Map.entry("auth", 4), Map.entry("authpriv", 10),
            Map.entry("local0", 16), Map.entry("local1", 17), Map.entry("local2", 18), Map.entry("local3", 19),
            Map.entry("local4", 20), Map.entry("local5", 21), Map.entry("local6", 22), Map.entry("local7", 23));

    public static final SyslogConfig OFF = new SyslogConfig(false, null, null, null);

    public SyslogConfig {
        enabled = enabled != null && enabled;
        socket = socket == null ? "/dev/log" : socket;
        facility = facility == null ? "local0" : facility;
        appName = appName == null ? "lightbridge" : appName;
        if (!FACILITIES.containsKey(facility)) {
            throw new IllegalArgumentException("facility '" + facility + "' is not one of " + FACILITIES.keySet());
        }
        if (appName.isEmpty() || appName.length() > 48 || !appName.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("app-name must be 1 to 48 printable ASCII characters without spaces");
        }
    }

    int facilityCode() {
        return FACILITIES.get(facility);
    }
}
