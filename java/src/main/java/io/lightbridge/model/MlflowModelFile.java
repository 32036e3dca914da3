package io.lightbridge.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What Lightbridge reads from an MLflow {@code MLmodel} file written by {@code mlflow.onnx.save_model}: the onnx
 * flavor's model file and session options, and the signature. A version directory without {@code MLmodel} is a bare
 * {@code model.onnx}.
 *
 * @param modelFile      the ONNX file, inside the version directory
 * @param sessionOptions the flavor's {@code onnx_session_options} (MLflow passes them to onnxruntime.SessionOptions)
 * @param inputs         tensor-spec inputs of the signature (empty when there is none or it is column-based)
 * @param outputs        tensor-spec outputs of the signature
 * @param columns        the column names of a column-based input signature (empty otherwise)
 */
record MlflowModelFile(Path modelFile, SessionOptions sessionOptions, List<TensorSpec> inputs, List<TensorSpec> outputs,
                       List<String> columns) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The onnx_session_options MLflow understands; null fields are left at ONNX Runtime's defaults. */
    record SessionOptions(Integer intraOpThreads, Integer interOpThreads, Boolean parallelExecution,
                          Integer graphOptimizationLevel) {
        static final SessionOptions NONE = new SessionOptions(null, null, null, null);
    }

    /** Reads {@code dir}'s MLmodel, or describes a bare model.onnx. Throws with a reason an admin can act on. */
    static MlflowModelFile read(Path dir) throws IOException {
        Path mlmodel = dir.resolve("MLmodel");
        if (!Files.isRegularFile(mlmodel)) {
            Path bare = dir.resolve("model.onnx");
            if (!Files.isRegularFile(bare)) {
                throw new IOException("neither MLmodel nor model.onnx in " + dir);
            }
            return new MlflowModelFile(bare, SessionOptions.NONE, List.of(), List.of(), List.of());
        }
        JsonNode root = YAML.readTree(mlmodel.toFile());
        JsonNode onnx = root == null ? null : root.path("flavors").get("onnx");
        if (onnx == null || !onnx.isObject()) {
            throw new IOException(mlmodel + ": no onnx flavor (only ONNX models are served)");
        }
        String data = onnx.path("data").asText("model.onnx");
        Path file = dir.resolve(data).normalize();
        if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
            throw new IOException(mlmodel + ": flavors.onnx.data '" + data + "' is not a file in the version directory");
        }
        JsonNode signature = root.path("signature");
        List<TensorSpec> inputs = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        readSignature(mlmodel, signature.path("inputs"), inputs, columns);
        List<TensorSpec> outputs = new ArrayList<>();
        readSignature(mlmodel, signature.path("outputs"), outputs, new ArrayList<>());
        return new MlflowModelFile(file, sessionOptions(onnx.path("onnx_session_options")),
                List.copyOf(inputs), List.copyOf(outputs), List.copyOf(columns));
    }

    private static SessionOptions sessionOptions(JsonNode o) {
        if (!o.isObject()) {
            return SessionOptions.NONE;
        }
        return new SessionOptions(
                o.hasNonNull("intra_op_num_threads") ? o.get("intra_op_num_threads").asInt() : null,
                o.hasNonNull("inter_op_num_threads") ? o.get("inter_op_num_threads").asInt() : null,
                o.hasNonNull("execution_mode") ? "parallel".equalsIgnoreCase(o.get("execution_mode").asText()) : null,
                o.hasNonNull("graph_optimization_level") ? o.get("graph_optimization_level").asInt() : null);
    }

    /** MLflow stores each half of the signature as a JSON string inside the YAML. */
    private static void readSignature(Path mlmodel, JsonNode node, List<TensorSpec> tensors, List<String> columns)
            throws IOException {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        JsonNode specs = node.isTextual() ? JSON.readTree(node.asText()) : node;
        if (!specs.isArray()) {
            throw new IOException(mlmodel + ": signature is not a list of specs");
        }
        for (JsonNode spec : specs) {
            String name = spec.path("name").asText(null);
            if ("tensor".equals(spec.path("type").asText())) {
                JsonNode ts = spec.path("tensor-spec");
                DType type = DType.ofNumpyName(ts.path("dtype").asText(""));
                if (type == null) {
                    throw new IOException(mlmodel + ": signature dtype '" + ts.path("dtype").asText() + "' of "
                            + name + " is not supported");
                }
                long[] shape = new long[ts.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = ts.path("shape").get(i).asLong();
                }
                tensors.add(new TensorSpec(name == null ? "" : name, type, shape));
            } else if (name != null) {
                columns.add(name);
            }
        }
    }
}
