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
 * beyond the busy workers, and {@link #offer} refuses the next one at once (the caller answers {@link #queueFull()}).
 * A request still waiting at its deadline is answered 504 without running: by the worker that takes it, or, while
 * every worker is busy, by a reaper thread that looks at the queue at least every {@link #REAPER_PERIOD}.
 * Handlers may block (an fsync): each holds one worker, no more. A handler whose work waits elsewhere (a model call
 * queued for a batch) returns a pending stage instead and holds none; the thread that completes it replies.
 *
 * <p>Wake-ups are what the hand-off costs (a futex wake, a context switch, on two cores often a preempted server
 * thread), so the pool spends as few as it can:
 * <ul>
 *   <li>An event-loop server {@link #offer}s the requests of one pass of its loop and then calls {@link #flush} once,
 *       so one wake-up covers the whole pass ({@link #submit} is offer + flush, for callers without a loop).</li>
 *   <li>{@link #flush} wakes nobody while a worker is awake and looking for work, nor while the busy workers will be
 *       free sooner than a wake-up pays off: queued work × the recent handler time under {@link #WAKE_WORTH}. A worker
 *       that takes a job applies the same rule to what is still queued, so slow handlers (model calls) spread over
 *       the workers and cheap ones (a no-work route) are drained by one awake worker.</li>
 *   <li>Should that estimate be wrong (a handler that is usually quick blocks) or a server forget to flush, the
 *       reaper wakes a worker for a request that has waited {@link #STALL} with nobody looking.</li>
 *   <li>Workers may run under SCHED_BATCH at nice 10 (see {@link WorkerScheduling}), so a woken worker does not preempt
 *       the server's thread, and busy workers do not starve it; and a worker that runs out of work may poll the queue
 *       for up to {@code spin} first (one spinner at a time), which catches the next request without any wake-up, at
 *       the price of the CPU it spins.</li>
 * </ul>
 *
 * <p>Thread-safe. Counters are cumulative since start, for the metrics exporter.
 */
public final class WorkerPool implements AutoCloseable {

    /** The reaper's longest sleep: bounds how late a 504 can come while every worker is busy. */
    public static final Duration REAPER_PERIOD = Duration.ofMillis(2);

    /** Queued work the busy workers may leave for later before another worker is woken: about a wake-up's cost. */
    public static final Duration WAKE_WORTH = Duration.ofNanos(20_000);

    /** How long a request may wait with no worker looking for work before the reaper wakes one. */
    public static final Duration STALL = Duration.ofMillis(1);

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
    /** Workers awake and not running a handler (polling, spinning, or woken and on their way); see {@link #wakeOne}. */
    private final AtomicInteger searching = new AtomicInteger();
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
    /**
     * Recent handler time per job: a moving average, updated without locking (an estimate is all it needs to be),
     * starting at {@link #WAKE_WORTH} so that handlers count as slow until they have shown otherwise.
     */
    private volatile long handlerNanos = WAKE_WORTH.toNanos();
    private volatile boolean closed;

    /**
     * @param spin            how long an idle worker keeps polling before it parks (0: park at once)
     * @param batchScheduling run the workers under SCHED_BATCH at nice 10 (see {@link WorkerScheduling})
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
        searching.set(workers); // each worker starts awake and looks for work before it first parks
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
     * Hands {@code request} to {@code handler} on a worker, waking one if needed: {@link #offer} + {@link #flush}.
     *
     * @return false, having done nothing, when {@code workers + queueCapacity} requests are already in the pool
     */
    public boolean submit(Request request, Handler handler, long deadlineNanos, Consumer<Response> reply) {
        if (!offer(request, handler, deadlineNanos, reply)) {
            return false;
        }
        flush();
        return true;
    }

    /**
     * Queues {@code request} for {@code handler}; it starts at the next {@link #flush} (or when a worker that is awake
     * takes it). {@code reply} gets exactly one response (the handler's, 504 at the deadline, or 500 if the handler
     * threw), on a pool thread. Never blocks.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value; waiting for a worker past it answers 504
     * @return false, having done nothing, when {@code workers + queueCapacity} requests are already in the pool
     */
    public boolean offer(Request request, Handler handler, long deadlineNanos, Consumer<Response> reply) {
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
        return true;
    }

    /** Makes sure the requests {@link #offer}ed so far will be taken: wakes a worker unless one will come anyway. */
    public void flush() {
        if (waiting.get() > 0) {
            wakeIfWorthIt(0);
        }
    }

    /**
     * Wakes a parked worker unless a worker is awake and looking for work, or the busy ones (plus {@code aboutToRun})
     * will have the queue drained sooner than a wake-up pays off.
     */
    private void wakeIfWorthIt(int aboutToRun) {
        if (searching.get() > 0) {
            return;
        }
        if (busy.get() + aboutToRun > 0 && waiting.get() * handlerNanos < WAKE_WORTH.toNanos()) {
            return;
        }
        wakeOne();
    }

    /** Counts the woken worker as searching on its behalf, so that the next flush does not wake a second one for it. */
    private void wakeOne() {
        Thread idle = parked.pollFirst();
        if (idle != null) {
            searching.incrementAndGet();
            LockSupport.unpark(idle);
        }
    }

    private void startWorking() {
        String refused = batchScheduling ? WorkerScheduling.applyToCurrentThread() : null;
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
            searching.decrementAndGet();
            waiting.decrementAndGet();
            long now = System.nanoTime();
            queueWait.accept(now - job.submittedNanos);
            if (waiting.get() > 0) {
                wakeIfWorthIt(1);
            }
            if (job.deadlineNanos - now <= 0) {
                expire(job);
            } else {
                run(job);
                long took = System.nanoTime() - now;
                handlerNanos += (took - handlerNanos) >> 3;
            }
            searching.incrementAndGet();
        }
    }

    /** The next queued job: polled, then spun for (one spinner at a time), then parked for. Returns searching. */
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
            searching.decrementAndGet();
            job = queue.poll(); // a flush between our last poll and the push saw us searching and woke nobody
            if (job == null && !closed) {
                LockSupport.park(this);
            }
            if (parked.remove(me)) {
                searching.incrementAndGet(); // not woken by wakeOne (which counts us): found work, spurious, or closed
            }
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

    /**
     * Answers 504 for queued requests past their deadline while no worker is free to notice, and wakes a worker for a
     * request that has waited {@link #STALL} with none looking for work.
     */
    private void reap() {
        long period = REAPER_PERIOD.toNanos();
        long stall = STALL.toNanos();
        while (!closed) {
            long now = System.nanoTime();
            long sleep = period;
            Job oldest = queue.peek();
            if (oldest != null && searching.get() == 0 && now - oldest.submittedNanos > stall) {
                wakeOne();
            }
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
