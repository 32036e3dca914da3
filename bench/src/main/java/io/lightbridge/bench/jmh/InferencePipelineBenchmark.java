package io.lightbridge.bench.jmh;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.Tensor;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request, batch 1: the whole pipeline for a v2 JSON infer (route, decode, validate, run, encode; identity,
 * policy and audit as constant stand-ins) against a raw {@code session.run} of the same row with the same session
 * options (tensor creation and output read included, as any caller of ONNX Runtime pays them).
 * Goal: pipeline ≤ 1.5 × raw for the breast-cancer MLP. The pipeline has ONNX Runtime write its outputs into buffers
 * it made ({@code PinnedOutputs}); {@link #rawSessionRunPinned} is the raw run done the same way, the fastest raw
 * baseline, so that the ratio to it shows the pipeline's own cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class InferencePipelineBenchmark {

    @Param({"breast-cancer", "digits"})
    public String model;

    private ModelRepository repository;
    private Pipeline pipeline;
    private Request request;
    private OrtEnvironment env;
    private OrtSession session;
    private float[] row;
    private long[] shape;
    private String inputName;
    private String outputName;
    private long[] outputShape;
    private ByteBuffer outputBuffer;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        repository = SampleRequests.repository(model, null);
        pipeline = SampleRequests.pipeline(repository);
        request = SampleRequests.v2Request(model);
        Response check = pipeline.handle(request);
        if (check.status() != 200) {
            throw new IllegalStateException("pipeline answered " + check.status() + ": " + check.bodyText());
        }
        env = OrtEnvironment.getEnvironment();
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            session = env.createSession(SampleRequests.samples().resolve(model).resolve("1").resolve("model.onnx").toString(),
                    options);
        }
        row = SampleRequests.row(model);
        shape = SampleRequests.shape(model);
        inputName = SampleRequests.inputName(model);
        var output = session.getOutputInfo().values().iterator().next();
        outputName = output.getName();
        outputShape = ((TensorInfo) output.getInfo()).getShape();
        outputShape[0] = shape[0];
        outputBuffer = ByteBuffer.allocateDirect(Math.toIntExact(4 * Tensor.elementCount(outputShape)))
                .order(ByteOrder.nativeOrder());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        session.close();
        repository.close();
    }

    @Benchmark
    public Response pipeline() {
        return pipeline.handle(request);
    }

    @Benchmark
    public float rawSessionRun() throws OrtException {
        try (var input = OnnxTensor.createTensor(env, FloatBuffer.wrap(row), shape);
             var result = session.run(Map.of(inputName, input))) {
            return ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
        }
    }

    /** As {@link #rawSessionRun}, with the output written into a buffer made before the run (ORT's pinned outputs). */
    @Benchmark
    public float rawSessionRunPinned() throws OrtException {
        try (var input = OnnxTensor.createTensor(env, FloatBuffer.wrap(row), shape);
             var output = OnnxTensor.createTensor(env, outputBuffer, outputShape, OnnxJavaType.FLOAT);
             var result = session.run(Map.of(inputName, input), Map.of(outputName, output))) {
            return outputBuffer.getFloat(0);
        }
    }
}
