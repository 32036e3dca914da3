package io.lightbridge.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching for one loaded version: concurrent calls wait in a (lock-free) queue; compatible calls (same
 * requested outputs, same non-batch dimensions) are concatenated along the first axis up to {@code maxBatchSize}
 * rows, run once, and each caller gets its rows. The call that fills a batch runs it on its own thread; a batch that
 * does not fill runs on the batch thread once its oldest call has waited {@code maxQueueDelay}. When a batch fails,
 * its calls are run one by one so one bad input fails only its own call. Closed by the version once no call holds it.
 *
 * <p>Wake-ups are the cost to avoid (each is a context switch, and on a virtual machine an interrupt sent to the other
 * CPU): a full batch runs where it filled, with no hand-off to the batch thread and none back for the answers, and two
 * full batches can run at once on two cores. The batch thread only keeps the delay: while calls keep coming it looks
 * for due calls once per delay; when they are sparse (or the delay is under {@link #MIN_WATCH_NANOS}) it sleeps and
 * the first call to find it idle wakes it.
 */
final class Batcher implements AutoCloseable {

    @FunctionalInterface
    interface Runner {
        List<Tensor> run(List<Tensor> inputs, List<String> outputs) throws ModelCallException;
    }

    /**
     * How one submitted call ends: told exactly once, on the thread that ran its batch (the one whose call filled it,
     * or the batch thread), or on the submitting thread when the call runs alone or is refused. A callback rather than
     * a future, so that a batch's calls cost no extra completion stage and no clock read each: they share the run's
     * end time.
     */
    interface Outcome {
        /** The call's rows of the outputs; {@code endNanos} is when the run that produced them ended. */
        void ran(List<Tensor> outputs, long endNanos);

        void failed(ModelCallException failure);
    }

    private record Pending(List<Tensor> inputs, List<String> outputs, int rows, long enqueuedNanos, long deadlineNanos,
                           Outcome outcome) {}

    /** A deadline for blocking calls, which wait as long as the batch takes: far enough for nanoTime arithmetic. */
    static final long NO_DEADLINE = Long.MAX_VALUE / 2;

    private final String model;
    private final String version;
    private final Runner runner;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final ModelListener.CallEvents events;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Calls taken from the queue that did not fit the batch being collected; guarded by {@link #collecting}. */
    private final ArrayDeque<Pending> carried = new ArrayDeque<>();
    /** Held while a batch is collected (not while it runs): by the batch thread or by a call that filled a batch. */
    private final ReentrantLock collecting = new ReentrantLock();
    /** Rows submitted and not yet taken into a run (queued, carried or in the batch being collected). */
    private final AtomicInteger waitingRows = new AtomicInteger();
    private final Thread thread;
    /** True while the batch thread has nothing to collect and sleeps until a call arrives. */
    private volatile boolean idle;
    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();

    Batcher(String model, String version, Runner runner, ModelConfig.DynamicBatching config,
            ModelListener.CallEvents events) {
        this.model = model;
        this.version = version;
        this.runner = runner;
        this.maxBatchSize = config.maxBatchSize();
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayUs());
        this.events = events;
        this.thread = Thread.ofPlatform().daemon().name("lb-batch-" + model + "-" + version).start(this::loop);
    }

    /**
     * Queues inputs (in model order, each with a free first axis) for a batch. When this call fills a batch, the batch
     * runs now, on this thread; otherwise this returns at once and the thread that runs the call's batch tells
     * {@code outcome} (and so runs what depends on it), with a {@link ModelCallException} when the call fails or the
     * version unloads. A call still queued at {@code deadlineNanos} (a {@link System#nanoTime()} value) fails with
     * {@link ModelCallException.Kind#DEADLINE} without running, when its batch is collected.
     */
    void submit(List<Tensor> inputs, List<String> outputs, long deadlineNanos, Outcome outcome) {
        int rows = (int) inputs.getFirst().dim(0);
        if (rows == 0 || rows >= maxBatchSize) {
            run(new Pending(inputs, outputs, rows, 0, deadlineNanos, outcome));
            return;
        }
        if (closed) {
            tell(outcome, unloading());
            return;
        }
        queue.add(new Pending(inputs, outputs, rows, System.nanoTime(), deadlineNanos, outcome));
        if (waitingRows.addAndGet(rows) >= maxBatchSize) {
            runFullBatch();
        } else if (idle) {
            LockSupport.unpark(thread); // the batch thread keeps the delay of the oldest call
        }
        if (closed) {
            // the batch thread may have stopped before our add, or our batch carried calls past its last look: fail
            // what is left (each call is taken from the queue or carried once)
            collecting.lock();
            try {
                failRemaining();
            } finally {
                collecting.unlock();
            }
        }
    }

    /** A failure as the model call's: {@link ModelCallException}s as they are, anything else a model failure. */
    static ModelCallException asModelCallException(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof ModelCallException m ? m
                : new ModelCallException(ModelCallException.Kind.MODEL_FAILED, "batch run failed: " + cause, cause);
    }

    private ModelCallException unloading() {
        return new ModelCallException(ModelCallException.Kind.NOT_READY, model + " version " + version + " is unloading");
    }

    /** Runs one call by itself and tells its outcome. */
    private void run(Pending p) {
        List<Tensor> out;
        long start = System.nanoTime();
        try {
            out = runner.run(p.inputs, p.outputs);
        } catch (ModelCallException | RuntimeException e) {
            tell(p.outcome, asModelCallException(e));
            return;
        }
        long end = System.nanoTime();
        events.batchRun(1, p.rows, end - start);
        tell(p.outcome, out, end);
    }

    /** An outcome that throws costs neither the thread running the batch nor the batch's other calls their answer. */
    private static void tell(Outcome outcome, List<Tensor> outputs, long endNanos) {
        try {
            outcome.ran(outputs, endNanos);
        } catch (RuntimeException e) {
            // the outcome's own failure: it is the submitter's to report, nothing is left to tell
        }
    }

    private static void tell(Outcome outcome, ModelCallException failure) {
        try {
            outcome.failed(failure);
        } catch (RuntimeException e) {
            // as above
        }
    }

    /**
     * The call that fills a batch runs it, on its own thread: handing it to the batch thread would cost a wake-up
     * there and, for the answers, one back; and two full batches can then run at once on two cores.
     */
    private void runFullBatch() {
        if (!collecting.tryLock()) {
            // another thread is collecting; should a full batch still wait after it, the batch thread runs that one
            LockSupport.unpark(thread);
            return;
        }
        List<Pending> batch;
        try {
            batch = collect();
        } finally {
            collecting.unlock();
        }
        execute(batch);
    }

    /** The batch thread: runs what waits once the oldest call's delay is up (or a full batch nobody took). */
    private void loop() {
        long lastSeen = System.nanoTime(); // when a call last waited
        while (!closed) {
            try {
                long wait = runDue();
                if (wait != IDLE) {
                    lastSeen = System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                } else if (maxDelayNanos >= MIN_WATCH_NANOS && System.nanoTime() - lastSeen < 2 * maxDelayNanos) {
                    // calls keep coming (one waited within the last two delays): look again after one delay, by when
                    // a call queued meanwhile is not yet due; a timer wake-up per delay instead of a wake-up by the
                    // first call after every batch. Sparser calls wake the thread themselves.
                    LockSupport.parkNanos(this, maxDelayNanos);
                } else {
                    idle = true;
                    if (queue.isEmpty() && !closed) { // a call queued before idle was set is seen here, not missed
                        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    }
                    idle = false;
                }
            } catch (RuntimeException e) {
                // never let the batch thread die (outcomes are told through tell, which catches): nothing to tell
            }
        }
        collecting.lock();
        try {
            failRemaining();
        } finally {
            collecting.unlock();
        }
    }

    private static final long IDLE = -1;

    /**
     * Delays from which the batch thread, while calls keep coming, looks for due calls once per delay instead of being
     * woken by a call that finds the queue empty: below it, those looks would cost more than the wake-ups.
     */
    private static final long MIN_WATCH_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /** Runs a batch if one is due; returns 0 after a run, else how long until the oldest call is due, or IDLE. */
    private long runDue() {
        List<Pending> batch;
        collecting.lock();
        try {
            Pending oldest = carried.isEmpty() ? queue.peek() : carried.peek();
            if (oldest == null) {
                return IDLE;
            }
            long wait = oldest.enqueuedNanos + maxDelayNanos - System.nanoTime();
            if (wait > 0 && waitingRows.get() < maxBatchSize) {
                return wait;
            }
            batch = collect();
        } finally {
            collecting.unlock();
        }
        execute(batch);
        return 0;
    }

    private static final int MAX_PRESIZED_CALLS = 256;

    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Takes the oldest call and what fits with it, without waiting; under {@link #collecting}. */
    private List<Pending> collect() {
        Pending first = carried.isEmpty() ? queue.poll() : carried.poll();
        if (first == null) {
            return List.of();
        }
        var batch = new ArrayList<Pending>(Math.min(maxBatchSize, MAX_PRESIZED_CALLS)); // no growth while it fills
        batch.add(first);
        int rows = first.rows;
        for (Iterator<Pending> it = carried.iterator(); it.hasNext() && rows < maxBatchSize; ) {
            Pending p = it.next();
            if (compatible(first, p) && rows + p.rows <= maxBatchSize) {
                it.remove();
                batch.add(p);
                rows += p.rows;
            }
        }
        while (rows < maxBatchSize) {
            Pending next = queue.poll();
            if (next == null) {
                break;
            }
            if (compatible(first, next) && rows + next.rows <= maxBatchSize) {
                batch.add(next);
                rows += next.rows;
            } else {
                carried.add(next);
            }
        }
        waitingRows.addAndGet(-rows);
        return batch;
    }

    private static boolean compatible(Pending a, Pending b) {
        if (!a.outputs.equals(b.outputs)) {
            return false;
        }
        for (int i = 0; i < a.inputs.size(); i++) {
            Tensor ta = a.inputs.get(i);
            Tensor tb = b.inputs.get(i);
            for (int d = 1; d < ta.rank(); d++) {
                if (ta.dim(d) != tb.dim(d)) {
                    return false;
                }
            }
        }
        return true;
    }

    private void execute(List<Pending> batch) {
        if (batch.isEmpty()) {
            return; // another thread took the calls first
        }
        long now = System.nanoTime();
        batch.removeIf(p -> {
            if (p.deadlineNanos - now > 0) {
                return false;
            }
            tell(p.outcome, new ModelCallException(ModelCallException.Kind.DEADLINE,
                    "the call waited past the request deadline for a batch of " + model + " version " + version));
            return true;
        });
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() == 1) {
            run(batch.getFirst());
            return;
        }
        int rows = batch.stream().mapToInt(Pending::rows).sum();
        List<List<Tensor>> split;
        long end;
        try {
            long start = System.nanoTime();
            List<Tensor> outputs = runner.run(concat(batch, rows), batch.getFirst().outputs);
            end = System.nanoTime();
            events.batchRun(batch.size(), rows, end - start);
            split = split(outputs, batch, rows);
        } catch (ModelCallException | RuntimeException e) {
            batch.forEach(this::run); // one by one: a bad input fails only its own call
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            tell(batch.get(i).outcome, split.get(i), end);
        }
    }

    private static List<Tensor> concat(List<Pending> batch, int rows) {
        List<Tensor> firstInputs = batch.getFirst().inputs;
        var inputs = new ArrayList<Tensor>(firstInputs.size());
        for (int i = 0; i < firstInputs.size(); i++) {
            Tensor t0 = firstInputs.get(i);
            long[] shape = t0.shape();
            shape[0] = rows;
            if (t0.type() == DType.BYTES) {
                var all = new ArrayList<String>();
                for (Pending p : batch) {
                    all.addAll(Arrays.asList(p.inputs.get(i).strings()));
                }
                inputs.add(Tensor.ofStrings(t0.name(), shape, all.toArray(String[]::new)));
            } else {
                // compatible calls have the same row size: the batch's size is known without a pass over it
                int rowBytes = Math.toIntExact(t0.elementCount() / t0.dim(0) * t0.type().byteSize());
                ByteBuffer buf = ByteBuffer.allocate(rows * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
                int at = 0;
                for (Pending p : batch) {
                    at += p.inputs.get(i).copyBytesTo(buf, at);
                }
                inputs.add(Tensor.of(t0.name(), t0.type(), shape, buf));
            }
        }
        return inputs;
    }

    private static List<List<Tensor>> split(List<Tensor> outputs, List<Pending> batch, int rows) throws ModelCallException {
        for (Tensor out : outputs) {
            if (out.rank() == 0 || out.dim(0) != rows) {
                throw new ModelCallException(ModelCallException.Kind.MODEL_FAILED,
                        "output " + out.name() + " has no batch axis of " + rows + " rows");
            }
        }
        var perCall = new ArrayList<List<Tensor>>(batch.size());
        int offset = 0;
        for (Pending p : batch) {
            var call = new Tensor[outputs.size()];
            for (int o = 0; o < call.length; o++) {
                call[o] = outputs.get(o).rows(offset, p.rows);
            }
            perCall.add(List.of(call)); // immutable: the result keeps it without another copy
            offset += p.rows;
        }
        return perCall;
    }

    /** Under {@link #collecting}, once closed: fails the calls carried and every call still queued. */
    private void failRemaining() {
        var left = new ArrayList<Pending>(carried);
        carried.clear();
        fail(left);
        failQueued();
    }

    private void failQueued() {
        var left = new ArrayList<Pending>();
        for (Pending p; (p = queue.poll()) != null; ) {
            left.add(p);
        }
        fail(left);
    }

    private void fail(List<Pending> calls) {
        for (Pending p : calls) {
            tell(p.outcome, new ModelCallException(ModelCallException.Kind.NOT_READY,
                    model + " version " + version + " was unloaded"));
        }
    }

    /**
     * Stops the batch thread; calls still queued fail with 503. Idempotent and thread-safe; may run on the batch thread
     * itself (a completion there released the version's last lease).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return; // the last call's completion released the version: the loop stops after this batch
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
