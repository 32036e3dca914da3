package io.lightbridge.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Dynamic batching for one loaded version: concurrent calls wait in a (lock-free) queue, one thread concatenates compatible
 * calls (same requested outputs, same non-batch dimensions) along the first axis up to {@code maxBatchSize} rows,
 * runs them once and hands each caller its rows. It waits at most {@code maxQueueDelay} after the oldest call arrived
 * for the batch to fill. When a batch fails, its calls are run one by one so one bad input fails only its own call.
 * Closed by the version once no call holds it.
 *
 * <p>Wake-ups are the cost to avoid (each is a context switch): a call wakes the batch thread only when the thread is
 * idle or when enough rows wait to fill a batch; otherwise the thread sleeps until the oldest call's delay is up.
 */
final class Batcher implements AutoCloseable {

    @FunctionalInterface
    interface Runner {
        List<Tensor> run(List<Tensor> inputs, List<String> outputs) throws ModelCallException;
    }

    private record Pending(List<Tensor> inputs, List<String> outputs, int rows, long enqueuedNanos, long deadlineNanos,
                           CompletableFuture<List<Tensor>> result) {}

    /** A deadline for blocking calls, which wait as long as the batch takes: far enough for nanoTime arithmetic. */
    static final long NO_DEADLINE = Long.MAX_VALUE / 2;

    private final String model;
    private final String version;
    private final Runner runner;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final ModelListener listener;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Pending> carried = new ArrayDeque<>();
    /** Rows submitted and not yet taken into a run (queued, carried or in the batch being collected). */
    private final AtomicInteger waitingRows = new AtomicInteger();
    private final Thread thread;
    /** True while the batch thread has nothing to collect and sleeps until a call arrives. */
    private volatile boolean idle;
    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();

    Batcher(String model, String version, Runner runner, ModelConfig.DynamicBatching config, ModelListener listener) {
        this.model = model;
        this.version = version;
        this.runner = runner;
        this.maxBatchSize = config.maxBatchSize();
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayUs());
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("lb-batch-" + model + "-" + version).start(this::loop);
    }

    /**
     * Queues inputs (in model order, each with a free first axis) for the next batch and returns at once; the batch thread completes the stage (and runs what
     * depends on it), exceptionally with a {@link ModelCallException} when the call fails or the version unloads.
     * A call that would fill a batch alone runs now, on the caller's thread. A call still queued at
     * {@code deadlineNanos} (a {@link System#nanoTime()} value) fails with {@link ModelCallException.Kind#DEADLINE}
     * without running, when the batch thread next collects (so at most one batch run late).
     */
    CompletableFuture<List<Tensor>> submit(List<Tensor> inputs, List<String> outputs, long deadlineNanos) {
        int rows = (int) inputs.getFirst().dim(0);
        if (rows == 0 || rows >= maxBatchSize) {
            try {
                return CompletableFuture.completedFuture(runAlone(inputs, outputs));
            } catch (ModelCallException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (closed) {
            return CompletableFuture.failedFuture(unloading());
        }
        var pending = new Pending(inputs, outputs, rows, System.nanoTime(), deadlineNanos, new CompletableFuture<>());
        queue.add(pending);
        if (waitingRows.addAndGet(rows) >= maxBatchSize || idle) {
            LockSupport.unpark(thread);
        }
        if (closed) {
            // the batch thread may have drained the queue before our add: fail what is left (a second completion is a no-op)
            failQueued();
        }
        return pending.result;
    }

    /** The result of a stage from {@link #submit}, or its failure as a {@link ModelCallException}. */
    static <T> T await(CompletableFuture<T> stage) throws ModelCallException {
        try {
            return stage.get();
        } catch (ExecutionException e) {
            throw asModelCallException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(ModelCallException.Kind.NOT_READY, "interrupted while waiting for a batch");
        }
    }

    /** A stage's failure as the model call's: {@link ModelCallException}s as they are, anything else a model failure. */
    static ModelCallException asModelCallException(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof ModelCallException m ? m
                : new ModelCallException(ModelCallException.Kind.MODEL_FAILED, "batch run failed: " + cause, cause);
    }

    private ModelCallException unloading() {
        return new ModelCallException(ModelCallException.Kind.NOT_READY, model + " version " + version + " is unloading");
    }

    private List<Tensor> runAlone(List<Tensor> inputs, List<String> outputs) throws ModelCallException {
        long start = System.nanoTime();
        List<Tensor> out = runner.run(inputs, outputs);
        listener.batchRun(model, version, 1, inputs.isEmpty() ? 0 : (int) inputs.getFirst().dim(0), System.nanoTime() - start);
        return out;
    }

    private void loop() {
        while (!closed) {
            try {
                Pending first = carried.isEmpty() ? queue.poll() : carried.poll();
                if (first == null) {
                    idle = true;
                    if (queue.isEmpty() && !closed) { // a call queued before idle was set is seen here, not missed
                        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    }
                    idle = false;
                    continue;
                }
                execute(collect(first));
            } catch (RuntimeException e) {
                // never let the batch thread die: the calls of that batch already got their failure
            }
        }
        failRemaining();
    }

    private static final int MAX_PRESIZED_CALLS = 256;

    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private List<Pending> collect(Pending first) {
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
        long deadline = first.enqueuedNanos + maxDelayNanos;
        while (rows < maxBatchSize && !closed) {
            Pending next = queue.poll();
            if (next == null) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, wait); // until the delay is up, or a submit finds a full batch waiting
                continue;
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
        long now = System.nanoTime();
        batch.removeIf(p -> {
            if (p.deadlineNanos - now > 0) {
                return false;
            }
            p.result.completeExceptionally(new ModelCallException(ModelCallException.Kind.DEADLINE,
                    "the call waited past the request deadline for a batch of " + model + " version " + version));
            return true;
        });
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() == 1) {
            Pending p = batch.getFirst();
            complete(p, () -> runAlone(p.inputs, p.outputs));
            return;
        }
        int rows = batch.stream().mapToInt(Pending::rows).sum();
        List<List<Tensor>> split;
        try {
            long start = System.nanoTime();
            List<Tensor> outputs = runner.run(concat(batch, rows), batch.getFirst().outputs);
            listener.batchRun(model, version, batch.size(), rows, System.nanoTime() - start);
            split = split(outputs, batch, rows);
        } catch (ModelCallException | RuntimeException e) {
            for (Pending p : batch) {
                complete(p, () -> runAlone(p.inputs, p.outputs));
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result.complete(split.get(i));
        }
    }

    private interface Call {
        List<Tensor> run() throws ModelCallException;
    }

    private static void complete(Pending p, Call call) {
        try {
            p.result.complete(call.run());
        } catch (ModelCallException | RuntimeException e) {
            p.result.completeExceptionally(e);
        }
    }

    private static List<Tensor> concat(List<Pending> batch, int rows) {
        var inputs = new ArrayList<Tensor>();
        List<Tensor> firstInputs = batch.getFirst().inputs;
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
                int size = 0;
                for (Pending p : batch) {
                    size += p.inputs.get(i).bytes().remaining();
                }
                ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
                for (Pending p : batch) {
                    buf.put(p.inputs.get(i).bytes());
                }
                inputs.add(Tensor.of(t0.name(), t0.type(), shape, buf.flip()));
            }
        }
        return inputs;
    }

    private static List<List<Tensor>> split(List<Tensor> outputs, List<Pending> batch, int rows) throws ModelCallException {
        var perCall = new Tensor[batch.size()][outputs.size()];
        for (int o = 0; o < outputs.size(); o++) {
            Tensor out = outputs.get(o);
            if (out.rank() == 0 || out.dim(0) != rows) {
                throw new ModelCallException(ModelCallException.Kind.MODEL_FAILED,
                        "output " + out.name() + " has no batch axis of " + rows + " rows");
            }
            long perRow = out.elementCount() / rows;
            long[] shape = out.shape();
            String[] strings = out.type() == DType.BYTES ? out.strings() : null;
            ByteBuffer bytes = out.bytes();
            int rowBytes = strings != null ? 0 : (int) perRow * out.type().byteSize();
            int offset = 0;
            for (int i = 0; i < batch.size(); i++) {
                int n = batch.get(i).rows;
                shape[0] = n; // each tensor keeps its own copy of the shape
                perCall[i][o] = strings != null
                        ? Tensor.ofStrings(out.name(), shape,
                                Arrays.copyOfRange(strings, (int) (offset * perRow), (int) ((offset + n) * perRow)))
                        : Tensor.of(out.name(), out.type(), shape, bytes.slice(offset * rowBytes, n * rowBytes));
                offset += n;
            }
        }
        var lists = new ArrayList<List<Tensor>>(perCall.length);
        for (Tensor[] call : perCall) {
            lists.add(List.of(call)); // immutable: the result keeps it without another copy
        }
        return lists;
    }

    /** On the batch thread as it stops: fails the calls it carried and every call still queued. */
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
            p.result.completeExceptionally(new ModelCallException(ModelCallException.Kind.NOT_READY,
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
