package io.lightbridge.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One loaded, warmed-up version of a model: owns its ONNX Runtime session (and batcher). Calls hold it through a
 * {@link ModelLease}; the repository holds one reference of its own while the version is served. When the version is
 * retired and the last call has finished, the session is closed — so a swap never fails a running call.
 */
public final class ModelVersion implements AutoCloseable {

    /** What ONNX Runtime calls this platform in Triton's model metadata. */
    public static final String PLATFORM = "onnxruntime_onnx";

    private static final AtomicLong LOAD_IDS = new AtomicLong();

    private final String model;
    private final String version;
    private final long loadId = LOAD_IDS.incrementAndGet();
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    /** Input name → its position in {@link #inputs}. */
    private final Map<String, Integer> inputPositions = new HashMap<>();
    private final List<String> outputOrder;
    /** The output names in model order, as the set a session run takes, made once: most calls want every output. */
    private final Set<String> allOutputs;
    private final List<String> columns;
    private final PredictionCache cache;
    private final ModelListener.CallEvents events;
    /** Output shapes known before a run (null: ONNX Runtime sizes them); see {@link PinnedOutputs}. */
    private final PinnedOutputs pinned;
    /** False once a run showed outputs other than declared: then ONNX Runtime allocates them. */
    private volatile boolean pinning;
    private final Batcher batcher;
    /** 1 for the repository's own reference while served, +1 per running call; 0 = closed. */
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicInteger retired = new AtomicInteger();

    private ModelVersion(String model, String version, OrtEnvironment env, OrtSession session, List<TensorSpec> inputs,
                         List<TensorSpec> outputs, List<String> columns, ModelConfig config, PredictionCache cache,
                         ModelListener listener, PinnedOutputs pinned) {
        this.model = model;
        this.version = version;
        this.env = env;
        this.session = session;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.columns = List.copyOf(columns);
        for (int i = 0; i < inputs.size(); i++) {
            inputPositions.put(inputs.get(i).name(), i);
        }
        this.outputOrder = outputs.stream().map(TensorSpec::name).toList();
        this.allOutputs = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(outputOrder));
        this.cache = cache;
        this.events = listener.calls(model, version);
        this.pinned = pinned;
        this.pinning = pinned != null;
        this.batcher = config.dynamicBatching() == null ? null
                : new Batcher(model, version, this::runSession, config.dynamicBatching(), events);
    }

    /** Why a version could not be loaded; the message is what admins see in the log and the repository index. */
    static final class LoadFailure extends Exception {
        LoadFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Opens the session with options from MLmodel and config.yaml (config.yaml wins), checks the signature against
     * the model, refuses types Java cannot carry, and runs one warm-up call before returning.
     */
    static ModelVersion load(String model, long version, java.nio.file.Path dir, ModelConfig config, int maxIntraOp,
                             PredictionCache cache, ModelListener listener) throws LoadFailure {
        MlflowModelFile mlmodel;
        try {
            mlmodel = MlflowModelFile.read(dir);
        } catch (java.io.IOException | RuntimeException e) {
            throw new LoadFailure("cannot read model directory: " + e.getMessage(), e);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = sessionOptions(mlmodel.sessionOptions(), config, maxIntraOp)) {
            session = env.createSession(mlmodel.modelFile().toString(), options);
            List<TensorSpec> in = specs("input", session.getInputInfo(), mlmodel.inputs());
            List<TensorSpec> out = specs("output", session.getOutputInfo(), mlmodel.outputs());
            if (config.dynamicBatching() != null) {
                for (TensorSpec s : concat(in, out)) {
                    if (!s.batchable()) {
                        throw new LoadFailure("dynamic-batching needs a free first dimension on every input and output; "
                                + s + " has none", null);
                    }
                }
            }
            var loaded = new ModelVersion(model, Long.toString(version), env, session, in, out, mlmodel.columns(),
                    config, cache, listener, PinnedOutputs.of(session));
            try {
                loaded.warmUp();
            } catch (ModelCallException e) {
                loaded.close();
                throw new LoadFailure("warm-up run failed: " + e.getMessage(), e);
            }
            return loaded;
        } catch (OrtException e) {
            closeQuietly(session);
            throw new LoadFailure("ONNX Runtime could not load " + mlmodel.modelFile().getFileName() + ": " + e.getMessage(), e);
        } catch (LoadFailure e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static List<TensorSpec> concat(List<TensorSpec> a, List<TensorSpec> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // already failing: the load failure is the error to report
            }
        }
    }

    private static OrtSession.SessionOptions sessionOptions(MlflowModelFile.SessionOptions mlflow, ModelConfig config,
                                                            int maxIntraOp) throws OrtException {
        var options = new OrtSession.SessionOptions();
        int intra = config.intraOpThreads() != null ? config.intraOpThreads()
                : mlflow.intraOpThreads() != null && mlflow.intraOpThreads() > 0 ? mlflow.intraOpThreads() : 1;
        options.setIntraOpNumThreads(Math.min(intra, maxIntraOp));
        // Spinning threads steal the cores other requests need: measured as millisecond tails on 2 cores.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        if (mlflow.interOpThreads() != null && mlflow.interOpThreads() > 0) {
            options.setInterOpNumThreads(Math.min(mlflow.interOpThreads(), maxIntraOp));
        }
        if (Boolean.TRUE.equals(mlflow.parallelExecution())) {
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.PARALLEL);
        }
        if (mlflow.graphOptimizationLevel() != null) {
            options.setOptimizationLevel(switch (mlflow.graphOptimizationLevel()) {
                case 0 -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case 1 -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case 2 -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
        }
        return options;
    }

    /** The model's own declaration, refined by the MLflow signature where the model leaves a dimension free. */
    private static List<TensorSpec> specs(String what, Map<String, NodeInfo> info, List<TensorSpec> signature)
            throws LoadFailure {
        var bySignature = new LinkedHashMap<String, TensorSpec>();
        signature.forEach(s -> bySignature.put(s.name(), s));
        if (!signature.isEmpty() && !bySignature.keySet().equals(info.keySet())) {
            throw new LoadFailure("MLmodel signature names " + what + "s " + bySignature.keySet()
                    + " but the ONNX model has " + info.keySet(), null);
        }
        var specs = new ArrayList<TensorSpec>();
        for (NodeInfo node : info.values()) {
            if (!(node.getInfo() instanceof TensorInfo t)) {
                throw new LoadFailure(what + " " + node.getName() + " is not a tensor (" + node.getInfo() + ")", null);
            }
            DType type = DType.ofOnnx(t.onnxType);
            if (type == null) {
                throw new LoadFailure(what + " " + node.getName() + " has element type " + t.onnxType
                        + ", which ONNX Runtime Java cannot carry", null);
            }
            long[] shape = t.getShape();
            TensorSpec sig = bySignature.get(node.getName());
            if (sig != null) {
                if (sig.type() != type) {
                    throw new LoadFailure("MLmodel signature says " + what + " " + node.getName() + " is "
                            + sig.type().numpyName() + ", the ONNX model says " + type.numpyName(), null);
                }
                if (sig.rank() == shape.length) {
                    for (int i = 0; i < shape.length; i++) {
                        if (shape[i] < 0 && sig.dim(i) >= 0) {
                            shape[i] = sig.dim(i);
                        }
                    }
                }
            }
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] < 0 ? -1 : shape[i];
            }
            specs.add(new TensorSpec(node.getName(), type, shape));
        }
        return specs;
    }

    private void warmUp() throws ModelCallException {
        var zeros = new ArrayList<Tensor>();
        for (TensorSpec s : inputs) {
            long[] shape = s.shape();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] < 0 ? 1 : shape[i];
            }
            int n = (int) Tensor.elementCount(shape);
            zeros.add(s.type() == DType.BYTES
                    ? Tensor.ofStrings(s.name(), shape, java.util.Collections.nCopies(n, "").toArray(String[]::new))
                    : Tensor.of(s.name(), s.type(), shape, java.nio.ByteBuffer.allocate(n * s.type().byteSize())));
        }
        runSession(zeros, outputOrder);
    }

    public String model() {
        return model;
    }

    public String version() {
        return version;
    }

    public List<TensorSpec> inputs() {
        return inputs;
    }

    public List<TensorSpec> outputs() {
        return outputs;
    }

    public TensorSpec input(String name) {
        Integer position = inputPositions.get(name);
        return position == null ? null : inputs.get(position);
    }

    /** Column names of an MLflow column-based input signature, in order; empty for tensor signatures. */
    public List<String> columns() {
        return columns;
    }

    /** True while runs write into output buffers made before the run (see {@link PinnedOutputs}). */
    boolean pinsOutputs() {
        return pinning;
    }

    public boolean batching() {
        return batcher != null;
    }

    /**
     * Checks the inputs against the model (names, count, dtype, shape), then answers from the cache, the batcher or
     * the session; blocks while a batch fills. {@code requestedOutputs} empty means all outputs in model order.
     */
    public InferenceResult infer(List<Tensor> given, List<String> requestedOutputs) throws ModelCallException {
        if (batcher != null) {
            return await(inferAsync(given, requestedOutputs, System.nanoTime() + Batcher.NO_DEADLINE));
        }
        long start = System.nanoTime();
        long end = 0; // once ran: the end of the run stands for the end of the call (clock reads are a visible share)
        boolean ran = false;
        boolean ok = false;
        try {
            List<Tensor> ordered = validate(given);
            List<String> wanted = requested(requestedOutputs);
            PredictionCache.Key key = cache == null ? null : PredictionCache.key(loadId, ordered, wanted);
            InferenceResult hit = cached(key);
            if (hit != null) {
                ok = true;
                return hit;
            }
            long runStart = System.nanoTime();
            List<Tensor> out = runSession(ordered, wanted);
            end = System.nanoTime();
            ran = true;
            events.batchRun(1, ordered.isEmpty() || ordered.getFirst().rank() == 0 ? 1
                    : (int) ordered.getFirst().dim(0), end - runStart);
            if (key != null) {
                cache.put(key, out);
            }
            ok = true;
            return new InferenceResult(model, version, out, false);
        } finally {
            events.inferred((ran ? end : System.nanoTime()) - start, ok);
        }
    }

    /**
     * As {@link #infer}, without blocking: with dynamic batching the call waits in the batcher and the stage completes
     * on the thread that runs its batch (so what depends on it runs there: the worker whose call filled the batch, or
     * the batch thread); otherwise the model runs now and the stage is complete.
     * Never throws: fails with a {@link ModelCallException} (possibly wrapped in a
     * {@link java.util.concurrent.CompletionException}). The caller keeps its {@link ModelLease} until the stage completes.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value: a call still waiting for its batch then fails with
     *                      {@link ModelCallException.Kind#DEADLINE} without running
     */
    public CompletableFuture<InferenceResult> inferAsync(List<Tensor> given, List<String> requestedOutputs,
                                                         long deadlineNanos) {
        if (batcher == null) {
            try {
                return CompletableFuture.completedFuture(infer(given, requestedOutputs));
            } catch (ModelCallException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        long start = System.nanoTime();
        List<Tensor> ordered;
        List<String> wanted;
        PredictionCache.Key key;
        try {
            ordered = validate(given);
            wanted = requested(requestedOutputs);
            key = cache == null ? null : PredictionCache.key(loadId, ordered, wanted);
            InferenceResult hit = cached(key);
            if (hit != null) {
                events.inferred(System.nanoTime() - start, true);
                return CompletableFuture.completedFuture(hit);
            }
        } catch (ModelCallException | RuntimeException e) {
            events.inferred(System.nanoTime() - start, false);
            return CompletableFuture.failedFuture(e);
        }
        var call = new BatchedCall(start, key);
        batcher.submit(ordered, wanted, deadlineNanos, call);
        return call;
    }

    /** The result of a call's stage, or its failure as a {@link ModelCallException}. */
    private static <T> T await(CompletableFuture<T> stage) throws ModelCallException {
        try {
            return stage.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw Batcher.asModelCallException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(ModelCallException.Kind.NOT_READY, "interrupted while waiting for a batch");
        }
    }

    /** A call waiting in the batcher: the stage its caller holds, completed by its outcome where its batch ran. */
    private final class BatchedCall extends CompletableFuture<InferenceResult> implements Batcher.Outcome {
        private final long start;
        private final PredictionCache.Key key;

        BatchedCall(long start, PredictionCache.Key key) {
            this.start = start;
            this.key = key;
        }

        @Override
        public void ran(List<Tensor> outputs, long endNanos) {
            try {
                events.inferred(endNanos - start, true);
                if (key != null) {
                    cache.put(key, outputs);
                }
            } finally {
                // the answer stands whatever the bookkeeping did
                complete(new InferenceResult(model, version, outputs, false));
            }
        }

        @Override
        public void failed(ModelCallException failure) {
            try {
                events.inferred(System.nanoTime() - start, false);
            } finally {
                completeExceptionally(failure);
            }
        }
    }

    /** The cached outputs for {@code key} (null: no cache, or a miss), counted as a cache lookup. */
    private InferenceResult cached(PredictionCache.Key key) {
        if (key == null) {
            return null;
        }
        List<Tensor> hit = cache.get(key);
        events.cacheLookup(hit != null);
        return hit == null ? null : new InferenceResult(model, version, hit, true);
    }

    private List<String> requested(List<String> names) throws ModelCallException {
        if (names.isEmpty()) {
            return outputOrder;
        }
        var seen = new HashSet<String>();
        for (String n : names) {
            if (!allOutputs.contains(n)) {
                throw ModelCallException.badInput("requested output '" + n + "' is not an output of " + model
                        + " (outputs: " + outputOrder + ")");
            }
            if (!seen.add(n)) {
                throw ModelCallException.badInput("output '" + n + "' is requested twice");
            }
        }
        return List.copyOf(names);
    }

    /** The inputs in model order, or a 400 naming the input and what is wrong. */
    private List<Tensor> validate(List<Tensor> given) throws ModelCallException {
        if (given.size() != inputs.size()) {
            throw ModelCallException.badInput(model + " takes " + inputs.size() + " input(s) "
                    + inputs.stream().map(TensorSpec::name).toList() + ", the request has " + given.size());
        }
        var ordered = new Tensor[inputs.size()];
        for (Tensor t : given) {
            Integer position = inputPositions.get(t.name());
            if (position == null) {
                throw ModelCallException.badInput("input '" + t.name() + "' is not an input of " + model
                        + " (inputs: " + inputs.stream().map(TensorSpec::name).toList() + ")");
            }
            if (ordered[position] != null) {
                throw ModelCallException.badInput("input '" + t.name() + "' is given twice");
            }
            ordered[position] = t;
            TensorSpec spec = inputs.get(position);
            if (t.type() != spec.type()) {
                throw ModelCallException.badInput("input '" + t.name() + "' has datatype " + t.type().wireName()
                        + ", the model expects " + spec.type().wireName());
            }
            String mismatch = spec.shapeMismatch(t.shape());
            if (mismatch != null) {
                throw ModelCallException.badInput("input '" + t.name() + "' " + mismatch);
            }
        }
        long rows = -1;
        for (Tensor t : ordered) {
            if (batcher != null) {
                if (rows >= 0 && t.dim(0) != rows) {
                    throw ModelCallException.badInput("input '" + t.name() + "' has " + t.dim(0)
                            + " rows, other inputs have " + rows);
                }
                rows = t.dim(0);
            }
        }
        return java.util.Arrays.asList(ordered);
    }

    /** One session run; ONNX Runtime failures are the model's (500), the model keeps serving. */
    List<Tensor> runSession(List<Tensor> in, List<String> outputs) throws ModelCallException {
        var feed = new LinkedHashMap<String, OnnxTensor>();
        try {
            for (int i = 0; i < in.size(); i++) {
                feed.put(in.get(i).name(), OrtValues.toOnnx(env, in.get(i), i));
            }
            if (pinning) {
                try {
                    return runPinned(feed, in, outputs);
                } catch (OrtException e) {
                    List<Tensor> out = runAllocated(feed, outputs); // a bad input fails here too, as it would have
                    pinning = false; // the outputs did not have their declared shapes: ORT sizes them from now on
                    return out;
                }
            }
            return runAllocated(feed, outputs);
        } catch (OrtException e) {
            throw new ModelCallException(ModelCallException.Kind.MODEL_FAILED,
                    "ONNX Runtime failed running " + model + " version " + version + ": " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** ONNX Runtime writes the outputs into buffers made here (see {@link PinnedOutputs}). */
    private List<Tensor> runPinned(Map<String, OnnxTensor> feed, List<Tensor> in, List<String> outputs)
            throws OrtException {
        long rows = in.isEmpty() || in.getFirst().rank() == 0 ? 1 : in.getFirst().dim(0);
        var types = new DType[outputs.size()];
        var shapes = new long[outputs.size()][];
        var buffers = new java.nio.ByteBuffer[outputs.size()];
        var targets = new LinkedHashMap<String, OnnxTensor>();
        try {
            for (int i = 0; i < buffers.length; i++) {
                PinnedOutputs.Output output = pinned.output(outputs.get(i));
                types[i] = output.type();
                shapes[i] = output.shape(rows);
                buffers[i] = OrtValues.outputBuffer(
                        Math.toIntExact(Tensor.elementCount(shapes[i]) * types[i].byteSize()), in.size() + i);
                targets.put(outputs.get(i), OnnxTensor.createTensor(env, buffers[i], shapes[i], types[i].javaType()));
            }
            session.run(feed, targets).close(); // the outputs are ours: closing the result frees none of them
            var out = new Tensor[buffers.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = OrtValues.copyOut(outputs.get(i), types[i], shapes[i], buffers[i]);
            }
            return List.of(out); // immutable: InferenceResult keeps it without another copy
        } finally {
            targets.values().forEach(OnnxTensor::close);
        }
    }

    /** ONNX Runtime allocates the outputs; they are copied out before the result is closed. */
    private List<Tensor> runAllocated(Map<String, OnnxTensor> feed, List<String> outputs) throws OrtException {
        try (OrtSession.Result result = session.run(feed,
                outputs == outputOrder ? allOutputs : new java.util.LinkedHashSet<>(outputs))) {
            var out = new Tensor[outputs.size()];
            for (int i = 0; i < out.length; i++) {
                String name = outputs.get(i);
                OnnxValue value = result.get(name).orElseThrow(() -> new OrtException("no output " + name));
                out[i] = OrtValues.fromOnnx(name, value);
            }
            return List.of(out); // immutable: InferenceResult keeps it without another copy
        }
    }

    /** Takes a reference for one call; false once the version is closed (the caller looks it up again). */
    boolean acquire() {
        int n;
        do {
            n = refs.get();
            if (n == 0) {
                return false;
            }
        } while (!refs.compareAndSet(n, n + 1));
        return true;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            closeNative();
        }
    }

    /**
     * Retires the version: drops the repository's reference, so the session closes as soon as the last running call
     * has finished. Idempotent and thread-safe.
     */
    @Override
    public void close() {
        if (retired.compareAndSet(0, 1)) {
            release();
        }
    }

    boolean isClosed() {
        return refs.get() == 0;
    }

    private void closeNative() {
        if (batcher != null) {
            batcher.close();
        }
        if (cache != null) {
            cache.evict(loadId);
        }
        try {
            session.close();
        } catch (OrtException e) {
            // nothing left to serve with it; the session's memory is what ORT could not free
        }
    }
}
