package io.lightbridge.bench.load;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * One load run against one target: what was offered, what came back, how long it took.
 *
 * @param mode         "closed" (wrk, as fast as the peer answers) or "open" (constant rate)
 * @param offeredRate  requests per second asked for; 0 for closed-loop runs
 * @param throughput   requests answered with 2xx per second (shed and failed requests do not count)
 * @param latency      closed loop: wrk's latency; open loop: from when each request was due (no coordinated omission)
 * @param serviceTime  open loop only: from when each request was actually sent; null for closed loop
 * @param served       open loop only: latency of the 2xx answers; null for closed loop
 * @param rejected     open loop only: latency of everything else (503s when shedding load); null for closed loop
 * @param rejectedByStatus open loop only: the latency of {@code rejected} per status ("503", "504", "io-error");
 *                     empty for closed loop
 * @param statuses     responses by status; "io-error" for connections that failed
 * @param unsent       open loop: requests never sent because the run hit its hard time bound
 * @param sentLate     open loop: requests sent more than 1 ms after they were due, because their connection was
 *                     still waiting for an earlier answer (the generator's own backlog); 0 for closed loop
 * @param histogram    the open-loop latency histogram, HdrHistogram's compressed encoding in base64; null for wrk
 */
public record LoadResult(String label, String mode, int connections, double offeredRate, double seconds,
                         double throughput, Latency latency, Latency serviceTime, Latency served,
                         Latency rejected, Map<String, Latency> rejectedByStatus, Map<String, Long> statuses,
                         long unsent, long sentLate, String histogram) {

    LoadResult(String label, String mode, int connections, double offeredRate, double seconds, double throughput,
               Histogram latency, Histogram service, Histogram served, Histogram rejected,
               Map<Integer, Histogram> rejectedByStatus, StatusCounts statuses, long unsent, long sentLate) {
        this(label, mode, connections, offeredRate, seconds, throughput, Latency.of(latency), Latency.of(service),
                Latency.of(served), Latency.of(rejected), byStatus(rejectedByStatus), statuses.asMap(), unsent,
                sentLate, encode(latency));
    }

    private static Map<String, Latency> byStatus(Map<Integer, Histogram> histograms) {
        var out = new java.util.TreeMap<String, Latency>();
        histograms.forEach((status, h) -> out.put(StatusCounts.name(status), Latency.of(h)));
        return out;
    }

    /** Responses that were not 2xx, connection errors included. */
    public long errors() {
        long n = 0;
        for (var e : statuses.entrySet()) {
            if (!e.getKey().startsWith("2")) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** Answers that are neither 2xx nor one of the {@code allowed} statuses, connection errors included. */
    public Map<String, Long> unexpected(java.util.Set<Integer> allowed) {
        var out = new java.util.TreeMap<String, Long>();
        statuses.forEach((status, n) -> {
            boolean ok = status.startsWith("2")
                    || (status.chars().allMatch(Character::isDigit) && allowed.contains(Integer.parseInt(status)));
            if (!ok) {
                out.put(status, n);
            }
        });
        return out;
    }

    public long count(String status) {
        return statuses.getOrDefault(status, 0L);
    }

    @JsonIgnore
    public Histogram decodedHistogram() {
        if (histogram == null) {
            return null;
        }
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(histogram)), 0);
        } catch (DataFormatException e) {
            throw new IllegalStateException("histogram of " + label + " is corrupt", e);
        }
    }

    private static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), n));
    }
}
