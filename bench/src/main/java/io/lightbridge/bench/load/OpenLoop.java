package io.lightbridge.bench.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.Histogram;

/**
 * Constant-rate load without coordinated omission, the way wrk2 does it: each of {@code connections} connections
 * sends on a fixed schedule, and a request's latency is counted from the moment it was <em>due</em>, not from when
 * a busy connection finally got to send it. A server that stalls therefore pays for every request it delayed.
 *
 * <p>Memory does not grow with the connection count beyond one small read buffer per connection: all connections
 * record into one set of histograms, and nothing is kept per request. Overload runs use thousands of connections so
 * that the excess reaches the server instead of waiting in the generator; a request sent more than
 * {@link #LATE_NANOS} after it was due (its connection still awaited an earlier answer) is counted as sent late, so
 * the report can show how much of the latency the generator's own backlog holds.
 */
public final class OpenLoop {

    static final long HIGHEST_MICROS = 60_000_000L;
    /** Sent this long after its due time: the schedule slipped because the connection was still busy. */
    static final long LATE_NANOS = 1_000_000L;
    /** Threads only wait on their socket or their schedule; a small stack keeps thousands of them cheap. */
    private static final long STACK_BYTES = 256 * 1024;

    private OpenLoop() {}

    /**
     * Runs {@code target} at {@code ratePerSecond} for {@code duration}. Every connection is opened before the
     * clock starts. Bounded: stops sending at duration + 2 × timeout even when the peer is slower than the
     * schedule; requests left unsent then are reported as {@link LoadResult#unsent()} and counted in the latency at
     * the delay they had reached.
     */
    public static LoadResult run(Target target, double ratePerSecond, int connections, Duration duration,
                                 Duration timeout) throws InterruptedException {
        if (ratePerSecond <= 0 || connections <= 0) {
            throw new IllegalArgumentException("rate and connections must be positive");
        }
        long perConnection = Math.max(1, (long) (ratePerSecond * duration.toNanos() / 1e9 / connections));
        double intervalNanos = connections * 1e9 / ratePerSecond;
        byte[] fixed = target.tokens().size() > 1 ? null : target.wireBytes(0);
        var recorded = new Recorded();
        var clock = new Clock(duration, timeout);

        var workers = new ArrayList<Worker>(connections);
        var threads = new ArrayList<Thread>(connections);
        try {
            for (int c = 0; c < connections; c++) {
                var w = new Worker(target, fixed, c, connections, perConnection, intervalNanos, clock, recorded,
                        (int) timeout.toMillis());
                workers.add(w);
                w.connection.open();
            }
        } catch (IOException e) {
            workers.forEach(w -> w.connection.close());
            throw new IllegalStateException("could not open connection " + (workers.size()) + " of " + connections
                    + " to " + target.url() + ": " + e.getMessage(), e);
        }
        for (Worker w : workers) {
            threads.add(Thread.ofPlatform().name("open-loop-" + w.index).stackSize(STACK_BYTES).start(w));
        }
        clock.start();
        for (Thread t : threads) {
            t.join();
        }
        return merge(target, ratePerSecond, connections, duration, clock.startNanos, workers, recorded);
    }

    private static LoadResult merge(Target target, double rate, int connections, Duration duration, long startNanos,
                                    List<Worker> workers, Recorded recorded) {
        var statuses = new StatusCounts();
        long unsent = 0;
        long late = 0;
        long lastDone = startNanos;
        for (Worker w : workers) {
            statuses.add(w.statuses);
            unsent += w.unsent;
            late += w.late;
            lastDone = Math.max(lastDone, w.lastDoneNanos);
        }
        double seconds = Math.max(1e-9, (lastDone - startNanos) / 1e9);
        return new LoadResult(target.label(), "open", connections, rate, duration.toMillis() / 1000.0,
                (statuses.total() - statuses.errors()) / seconds, recorded.latency, recorded.service, recorded.served,
                recorded.rejected, recorded.rejectedByStatus, statuses, unsent, late);
    }

    /** The histograms every connection records into (thread-safe, fixed size whatever the connection count). */
    private static final class Recorded {
        final Histogram latency = new AtomicHistogram(HIGHEST_MICROS, 3);
        final Histogram service = new AtomicHistogram(HIGHEST_MICROS, 3);
        final Histogram served = new AtomicHistogram(HIGHEST_MICROS, 3);
        final Histogram rejected = new AtomicHistogram(HIGHEST_MICROS, 3);
        /** Non-2xx answers by status: a 503 refused at once and a 504 after the queue deadline differ in kind. */
        final Map<Integer, Histogram> rejectedByStatus = new ConcurrentHashMap<>();

        void answer(int status, long micros) {
            latency.recordValue(micros);
            if (status >= 200 && status < 300) {
                served.recordValue(micros);
            } else {
                rejected.recordValue(micros);
                rejectedByStatus.computeIfAbsent(status, k -> new AtomicHistogram(HIGHEST_MICROS, 3))
                        .recordValue(micros);
            }
        }
    }

    /** When the schedule starts: set once every thread runs, so starting thousands of threads delays no request. */
    private static final class Clock {
        private final CountDownLatch started = new CountDownLatch(1);
        private final long runNanos;
        private final long graceNanos;
        private long startNanos;
        private long hardStop;

        Clock(Duration duration, Duration timeout) {
            this.runNanos = duration.toNanos();
            this.graceNanos = 2 * timeout.toNanos();
        }

        void start() {
            startNanos = System.nanoTime() + 20_000_000L; // every thread is parked before the first send is due
            hardStop = startNanos + runNanos + graceNanos;
            started.countDown();
        }

        void await() throws InterruptedException {
            started.await();
        }
    }

    private static final class Worker implements Runnable {
        private final Target target;
        private final byte[] fixed;
        final int index;
        private final int stride;
        private final long count;
        private final double intervalNanos;
        private final Clock clock;
        private final Recorded recorded;
        final Http1Connection connection;
        final StatusCounts statuses = new StatusCounts();
        long unsent;
        long late;
        long lastDoneNanos;

        Worker(Target target, byte[] fixed, int index, int stride, long count, double intervalNanos, Clock clock,
               Recorded recorded, int timeoutMillis) {
            this.target = target;
            this.fixed = fixed;
            this.index = index;
            this.stride = stride;
            this.count = count;
            this.intervalNanos = intervalNanos;
            this.clock = clock;
            this.recorded = recorded;
            this.connection = new Http1Connection(target.host(), target.port(), timeoutMillis);
        }

        @Override
        public void run() {
            try (connection) {
                clock.await();
                long firstDue = clock.startNanos + (long) (intervalNanos * index / stride);
                for (long i = 0; i < count; i++) {
                    long due = firstDue + (long) (i * intervalNanos);
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        LockSupport.parkNanos(due - now);
                    }
                    if (now > clock.hardStop) {
                        unsent = count - i;
                        // Requests the schedule wanted but the peer never let us send: count them at the latency
                        // they had reached when the run stopped (a lower bound), so the percentiles cannot hide them.
                        for (long j = i; j < count; j++) {
                            long dueJ = firstDue + (long) (j * intervalNanos);
                            recorded.latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, now - dueJ) / 1_000));
                        }
                        return;
                    }
                    if (now - due > LATE_NANOS) {
                        late++;
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
                    recorded.answer(status, Math.min(HIGHEST_MICROS, (done - due) / 1_000));
                    recorded.service.recordValue(Math.min(HIGHEST_MICROS, (done - now) / 1_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
