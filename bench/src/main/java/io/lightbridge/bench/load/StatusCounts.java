package io.lightbridge.bench.load;

import java.util.Map;
import java.util.TreeMap;

/** Responses counted by HTTP status; status 0 stands for a connection or protocol error (no status at all). */
public final class StatusCounts {

    public static final int IO_ERROR = 0;

    private final long[] counts = new long[600];

    public void count(int status) {
        counts[status >= 0 && status < counts.length ? status : IO_ERROR]++;
    }

    public void add(StatusCounts other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
    }

    public void add(int status, long n) {
        counts[status] += n;
    }

    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    public long get(int status) {
        return counts[status];
    }

    /** Everything that is not 2xx, connection errors included. */
    public long errors() {
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i < 200 || i >= 300) {
                sum += counts[i];
            }
        }
        return sum;
    }

    /** How reports name a status: "200", "503", "io-error". */
    public static String name(int status) {
        return status == IO_ERROR ? "io-error" : Integer.toString(status);
    }

    /** Non-zero counts keyed by status text ("200", "503", "io-error"). */
    public Map<String, Long> asMap() {
        var map = new TreeMap<String, Long>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                map.put(name(i), counts[i]);
            }
        }
        return map;
    }
}
