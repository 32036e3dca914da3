package io.lightbridge.workers;

import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Handler;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Runs request handlers off the server's thread, bounded in both directions.
 *
 * <p>{@code workers} platform threads take requests from one queue; at most {@code queueCapacity} requests wait
 * beyond the busy workers, and {@link #submit} refuses the next one at once (the caller answers {@link #queueFull()}).
 * A request still waiting at its deadline is answered 504 without running: by the worker that takes it, or, while
 * every worker is busy, by a reaper thread that looks at the queue at least every {@link #REAPER_PERIOD}.
 * Handlers may block (an fsync, a batcher waiting for a batch to fill): each holds one worker, no more.
 *
 * <p>Wake-ups are what the hand-off costs: on a small machine the worker that the server's thread unparks tends to
 * preempt it. So workers may run under SCHED_BATCH (see {@link BatchScheduling}), which stops exactly that; the server's
 * thread wakes a worker only when none is awake and looking for work; and a worker that runs out of work may poll the
 * queue for up to {@code spin} first (one spinner at a time, the others park), which catches the next request of a
 * busy server without any wake-up, at the price of the CPU it spins.
 *
 * <p>Thread-safe. Counters are cumulative since start, for the metrics exporter.
 */
public final class WorkerPool implements AutoCloseable {

    /** The reaper's longest sleep: bounds how late a 504 can come while every worker is busy. */
    public static final Duration REAPER_PERIOD = Duration.ofMillis(2);

    private static final Response QUEUE_FULL =
            Response.error(503, "server busy: request queue full").withHeader("Retry-After", "1");
    private static final Response DEADLINE = Response.error(504, "request waited past its deadline for a worker");
    private static final Response FAILED = Response.error(500, "internal error in the request handler");

    /** One accepted request; taken exactly once, by a worker or by the reaper. */
    private static final class Job extends AtomicBoolean {
        final Request request;
        final Handler handler;
        final long deadlineNanos;
        final Consumer<Response> reply;
        final long submittedNanos = System.nanoTime();

        Job(Request request, Handler handler, long deadlineNanos, Consumer<Response> reply) {
            this.request = request;
            this.handler = handler;
            this.deadlineNanos = deadlineNanos;
            this.reply = reply;
        }

        boolean claim() {
            return compareAndSet(false, true);
        }
    }

    private final int workers;
    private final int queueCapacity;
    private final long spinNanos;
    private final ServerLog log;
    private final LongConsumer queueWait;
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedDeque<Thread> parked = new ConcurrentLinkedDeque<>();
    private final AtomicInteger spinning = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean batchRefusalLogged = new AtomicBoolean();
    private final boolean batchScheduling;
    private volatile boolean closed;

    /**
     * @param spin            how long an idle worker keeps polling before it parks (0: park at once)
     * @param batchScheduling run the workers under SCHED_BATCH (see {@link BatchScheduling})
     * @param queueWait       told, in nanoseconds, how long each request waited before a worker took it
     */
    public WorkerPool(int workers, int queueCapacity, Duration spin, boolean batchScheduling,
                      ServerLog log, LongConsumer queueWait) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queue capacity must not be negative");
        }
        this.workers = workers;
        this.queueCapacity = queueCapacity;
        this.spinNanos = spin.toNanos();
        this.log = log;
        this.queueWait = queueWait;
        this.batchScheduling = batchScheduling;
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofPlatform().daemon().name("lightbridge-worker-" + i).start(this::startWorking));
        }
        threads.add(Thread.ofPlatform().daemon().name("lightbridge-deadlines").start(this::reap));
    }

    /** The answer for a request {@link #submit} refused. */
    public static Response queueFull() {
        return QUEUE_FULL;
    }

    /**
     * Hands {@code request} to {@code handler} on a worker; {@code reply} gets exactly one response (the handler's,
     * 504 at the deadline, or 500 if the handler threw), on a pool thread. Never blocks.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value; waiting for a worker past it answers 504
     * @return false, having done nothing, when {@code workers + queueCapacity} requests are already in the pool
     */
    public boolean submit(Request request, Handler handler, long deadlineNanos, Consumer<Response> reply) {
        if (closed) {
            rejected.increment();
            return false;
        }
        if (inFlight.incrementAndGet() > workers + queueCapacity) {
            inFlight.decrementAndGet();
            rejected.increment();
            return false;
        }
        waiting.incrementAndGet();
        queue.offer(new Job(request, handler, deadlineNanos, reply));
        if (spinning.get() == 0) {
            Thread idle = parked.pollFirst();
            if (idle != null) {
                LockSupport.unpark(idle);
            }
        }
        return true;
    }

    private void startWorking() {
        String refused = batchScheduling ? BatchScheduling.applyToCurrentThread() : null;
        if (refused != null && batchRefusalLogged.compareAndSet(false, true)) {
            log.warn("workers keep the default scheduling policy (hand-offs cost more): " + refused);
        }
        work();
    }

    private void work() {
        Thread me = Thread.currentThread();
        while (!closed) {
            Job job = next(me);
            if (job == null || !job.claim()) {
                continue;
            }
            waiting.decrementAndGet();
            long now = System.nanoTime();
            queueWait.accept(now - job.submittedNanos);
            if (job.deadlineNanos - now <= 0) {
                expire(job);
            } else {
                run(job);
            }
        }
    }

    /** The next queued job: polled, then spun for (one spinner at a time), then parked for. */
    private Job next(Thread me) {
        Job job = queue.poll();
        if (job == null && spinNanos > 0 && spinning.compareAndSet(0, 1)) {
            long until = System.nanoTime() + spinNanos;
            while ((job = queue.poll()) == null && System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
            spinning.set(0);
        }
        if (job == null) {
            parked.push(me);
            job = queue.poll(); // a submit between our last poll and the push saw no parked worker
            if (job == null && !closed) {
                LockSupport.park(this);
            }
            parked.remove(me);
        }
        return job;
    }

    /**
     * Runs the job's handler; a handler whose work waits (a call queued for a batch) returns a pending stage and
     * releases this worker at once, and the thread that completes the stage delivers the reply. The request counts as
     * in flight (against {@code workers + queueCapacity}) until its reply is delivered.
     */
    private void run(Job job) {
        busy.incrementAndGet();
        CompletableFuture<Response> stage;
        try {
            stage = job.handler.respond(job.request, job.deadlineNanos);
        } catch (Throwable t) {
            stage = CompletableFuture.failedFuture(t);
        } finally {
            busy.decrementAndGet();
        }
        if (stage.isDone()) {
            finish(job, stage);
        } else {
            CompletableFuture<Response> pending = stage;
            pending.whenComplete((r, t) -> finish(job, pending));
        }
    }

    /** Exactly once per run job: counts it and hands its reply (500 if the handler failed) to the server. */
    private void finish(Job job, CompletableFuture<Response> outcome) {
        inFlight.decrementAndGet();
        Response response;
        try {
            response = outcome.join();
        } catch (Throwable t) {
            failed.increment();
            Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            log.error("request handler failed for " + job.request.method() + " " + job.request.path() + ": " + cause);
            response = FAILED;
        }
        completed.increment();
        deliver(job, response);
    }

    private void expire(Job job) {
        inFlight.decrementAndGet();
        expired.increment();
        deliver(job, DEADLINE);
    }

    private void deliver(Job job, Response response) {
        try {
            job.reply.accept(response);
        } catch (Throwable t) {
            log.error("could not deliver a response: " + t);
        }
    }

    /** Answers 504 for queued requests past their deadline while no worker is free to notice. */
    private void reap() {
        long period = REAPER_PERIOD.toNanos();
        while (!closed) {
            long now = System.nanoTime();
            long sleep = period;
            for (Job job : queue) {
                long left = job.deadlineNanos - now;
                if (left > 0) {
                    sleep = Math.min(sleep, left);
                } else if (job.claim()) {
                    queue.remove(job);
                    waiting.decrementAndGet();
                    expire(job);
                }
            }
            LockSupport.parkNanos(this, sleep);
        }
    }

    /** Stops the threads once they finish what they run; requests still queued are answered 504. Idempotent. */
    @Override
    public void close() {
        closed = true;
        threads.forEach(LockSupport::unpark);
        for (Job job; (job = queue.poll()) != null; ) {
            if (job.claim()) {
                waiting.decrementAndGet();
                expire(job);
            }
        }
    }

    public int workers() {
        return workers;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    /** Requests accepted and not yet running (waiting for a worker). */
    public int queueDepth() {
        return waiting.get();
    }

    /** Handlers running now. */
    public int busyWorkers() {
        return busy.get();
    }

    /** Requests refused with 503 because the queue was full. */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** Requests answered 504 because they waited past their deadline. */
    public long expiredCount() {
        return expired.sum();
    }

    /** Handlers that threw (answered 500). */
    public long failedCount() {
        return failed.sum();
    }

    /** Handlers that ran to an answer, including failed ones. */
    public long completedCount() {
        return completed.sum();
    }
}
