package io.lightbridge.bench.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Constant-rate load without coordinated omission, the way wrk2 does it: each of {@code connections} connections
 * sends on a fixed schedule, and a request's latency is counted from the moment it was <em>due</em>, not from when
 * a busy connection finally got to send it. A server that stalls therefore pays for every request it delayed.
 */
public final class OpenLoop {

    static final long HIGHEST_MICROS = 60_000_000L;

    private OpenLoop() {}

    /**
     * Runs {@code target} at {@code ratePerSecond} for {@code duration}. Bounded: stops sending at
     * duration + 2 × timeout even when the peer is slower than the schedule; requests left unsent then are
     * reported as {@link LoadResult#unsent()} and counted in the latency at the delay they had reached.
     */
    public static LoadResult run(Target target, double ratePerSecond, int connections, Duration duration,
                                 Duration timeout) throws InterruptedException {
        if (ratePerSecond <= 0 || connections <= 0) {
            throw new IllegalArgumentException("rate and connections must be positive");
        }
        long perConnection = Math.max(1, (long) (ratePerSecond * duration.toNanos() / 1e9 / connections));
        double intervalNanos = connections * 1e9 / ratePerSecond;
        long startNanos = System.nanoTime() + 20_000_000L; // every thread is parked before the first send is due
        long hardStop = startNanos + duration.toNanos() + 2 * timeout.toNanos();
        byte[] fixed = target.tokens().size() > 1 ? null : target.wireBytes(0);

        var workers = new ArrayList<Worker>(connections);
        var threads = new ArrayList<Thread>(connections);
        for (int c = 0; c < connections; c++) {
            var w = new Worker(target, fixed, c, connections, perConnection, intervalNanos,
                    startNanos + (long) (intervalNanos * c / connections), hardStop, (int) timeout.toMillis());
            workers.add(w);
            threads.add(Thread.ofPlatform().name("open-loop-" + c).start(w));
        }
        for (Thread t : threads) {
            t.join();
        }
        return merge(target, ratePerSecond, connections, duration, startNanos, workers);
    }

    private static LoadResult merge(Target target, double rate, int connections, Duration duration, long startNanos,
                                    List<Worker> workers) {
        var latency = new Histogram(HIGHEST_MICROS, 3);
        var service = new Histogram(HIGHEST_MICROS, 3);
        var served = new Histogram(HIGHEST_MICROS, 3);
        var rejected = new Histogram(HIGHEST_MICROS, 3);
        var statuses = new StatusCounts();
        long unsent = 0;
        long lastDone = startNanos;
        for (Worker w : workers) {
            latency.add(w.latency);
            service.add(w.service);
            served.add(w.served);
            rejected.add(w.rejected);
            statuses.add(w.statuses);
            unsent += w.unsent;
            lastDone = Math.max(lastDone, w.lastDoneNanos);
        }
        double seconds = Math.max(1e-9, (lastDone - startNanos) / 1e9);
        return new LoadResult(target.label(), "open", connections, rate, duration.toMillis() / 1000.0,
                (statuses.total() - statuses.errors()) / seconds, latency, service, served, rejected, statuses, unsent);
    }

    private static final class Worker implements Runnable {
        private final Target target;
        private final byte[] fixed;
        private final int index;
        private final int stride;
        private final long count;
        private final double intervalNanos;
        private final long firstDue;
        private final long hardStop;
        private final Http1Connection connection;
        final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        final Histogram service = new Histogram(HIGHEST_MICROS, 3);
        final Histogram served = new Histogram(HIGHEST_MICROS, 3);
        final Histogram rejected = new Histogram(HIGHEST_MICROS, 3);
        final StatusCounts statuses = new StatusCounts();
        long unsent;
        long lastDoneNanos;

        Worker(Target target, byte[] fixed, int index, int stride, long count, double intervalNanos, long firstDue,
               long hardStop, int timeoutMillis) {
            this.target = target;
            this.fixed = fixed;
            this.index = index;
            this.stride = stride;
            this.count = count;
            this.intervalNanos = intervalNanos;
            this.firstDue = firstDue;
            this.hardStop = hardStop;
            this.connection = new Http1Connection(target.host(), target.port(), timeoutMillis);
        }

        @Override
        public void run() {
            try (connection) {
                for (long i = 0; i < count; i++) {
                    long due = firstDue + (long) (i * intervalNanos);
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        LockSupport.parkNanos(due - now);
                    }
                    if (now > hardStop) {
                        unsent = count - i;
                        // Requests the schedule wanted but the peer never let us send: count them at the latency
                        // they had reached when the run stopped (a lower bound), so the percentiles cannot hide them.
                        for (long j = i; j < count; j++) {
                            long dueJ = firstDue + (long) (j * intervalNanos);
                            latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, now - dueJ) / 1_000));
                        }
                        return;
                    }
                    byte[] request = fixed != null ? fixed : target.wireBytes(i * stride + index);
                    int status;
                    try {
                        status = connection.exchange(request);
                    } catch (IOException e) {
                        status = StatusCounts.IO_ERROR;
                    }
                    long done = System.nanoTime();
                    lastDoneNanos = done;
                    statuses.count(status);
                    long micros = Math.min(HIGHEST_MICROS, (done - due) / 1_000);
                    latency.recordValue(micros);
                    (status >= 200 && status < 300 ? served : rejected).recordValue(micros);
                    service.recordValue(Math.min(HIGHEST_MICROS, (done - now) / 1_000));
                }
            }
        }
    }
}
