package io.lightbridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.lightbridge.pipeline.Response;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both sample models through both protocols: the answers equal ONNX Runtime run directly on the same file, and match
 * the PyTorch outputs saved by models/train.py within 1e-5.
 */
class SampleModelsTest {

    private static final double TOLERANCE = 1e-5;
    private static ModelPipeline served;

    @BeforeAll
    static void open() throws Exception {
        served = new ModelPipeline(ModelPipeline.config(ModelPipeline.SAMPLES).withDefaultModel("breast-cancer"));
    }

    @AfterAll
    static void close() {
        served.close();
    }

    /** The reference file: inputs as nested rows, PyTorch outputs as rows. */
    record Reference(JsonNode json, float[] flatInputs, long[] inputShape, double[] outputs, int outputWidth) {
        static Reference of(String model) throws Exception {
            JsonNode j = ModelPipeline.JSON.readTree(ModelPipeline.SAMPLES.resolve(model).resolve("1").resolve("reference.json").toFile());
            var in = new ArrayList<Float>();
            flatten(j.get("inputs"), in);
            float[] flat = new float[in.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = in.get(i);
            }
            long[] shape = new long[j.get("input_shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = j.get("input_shape").get(i).asLong();
            }
            var out = new ArrayList<Float>();
            flatten(j.get("outputs"), out);
            double[] o = out.stream().mapToDouble(Float::doubleValue).toArray();
            return new Reference(j, flat, shape, o, j.get("output_shape").get(1).asInt());
        }

        int rows() {
            return (int) inputShape[0];
        }

        private static void flatten(JsonNode n, List<Float> out) {
            if (n.isArray()) {
                n.forEach(e -> flatten(e, out));
            } else {
                out.add((float) n.asDouble());
            }
        }
    }

    /** ONNX Runtime on the same file, with default options: the ground truth for "equals ORT run directly". */
    private static float[] ortDirect(String model, Reference ref) throws Exception {
        var env = OrtEnvironment.getEnvironment();
        Path file = ModelPipeline.SAMPLES.resolve(model).resolve("1").resolve("model.onnx");
        try (var session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             var input = OnnxTensor.createTensor(env, FloatBuffer.wrap(ref.flatInputs()), ref.inputShape());
             var result = session.run(Map.of(ref.json().get("input").asText(), input))) {
            FloatBuffer fb = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    private static void assertMatches(String model, Reference ref, double[] got) throws Exception {
        float[] ort = ortDirect(model, ref);
        assertEquals(ref.outputs().length, got.length, "output element count");
        for (int i = 0; i < got.length; i++) {
            assertEquals(ort[i], got[i], 0.0, model + ": element " + i + " differs from ONNX Runtime run directly");
            assertEquals(ref.outputs()[i], got[i], TOLERANCE, model + ": element " + i + " differs from PyTorch");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"breast-cancer", "digits"})
    void openInferenceProtocolMatchesOrtAndPyTorch(String model) throws Exception {
        Reference ref = Reference.of(model);
        String body = "{\"id\":\"ref-1\",\"inputs\":[{\"name\":" + ref.json().get("input") + ",\"datatype\":\"FP32\",\"shape\":"
                + ModelPipeline.JSON.writeValueAsString(ref.inputShape()) + ",\"data\":" + ref.json().get("inputs") + "}]}";
        Response r = served.call("POST", "/v2/models/" + model + "/infer", body);
        assertEquals(200, r.status(), r.bodyText());
        JsonNode j = ModelPipeline.json(r);
        assertEquals("ref-1", j.get("id").asText());
        assertEquals("1", j.get("model_version").asText());
        JsonNode out = j.get("outputs").get(0);
        assertEquals(ref.json().get("output").asText(), out.get("name").asText());
        assertEquals("FP32", out.get("datatype").asText());
        double[] got = new double[out.get("data").size()];
        for (int i = 0; i < got.length; i++) {
            got[i] = (float) out.get("data").get(i).asDouble();
        }
        assertMatches(model, ref, got);
    }

    @ParameterizedTest
    @ValueSource(strings = {"breast-cancer", "digits"})
    void mlflowInstancesMatchOrtAndPyTorch(String model) throws Exception {
        Reference ref = Reference.of(model);
        Response r = served.call("POST", "/serving-endpoints/" + model + "/invocations",
                "{\"instances\":" + ref.json().get("inputs") + "}");
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("1", r.header("X-Model-Version"));
        JsonNode predictions = ModelPipeline.json(r).get("predictions").get(ref.json().get("output").asText());
        var got = new ArrayList<Double>();
        predictions.forEach(row -> row.forEach(v -> got.add((double) (float) v.asDouble())));
        assertMatches(model, ref, got.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"breast-cancer", "digits"})
    void mlflowDataFrameSplitMatchesOrtAndPyTorch(String model) throws Exception {
        Reference ref = Reference.of(model);
        int width = ref.flatInputs().length / ref.rows();
        var data = new StringBuilder("[");
        for (int r = 0; r < ref.rows(); r++) {
            data.append(r == 0 ? "[" : ",[");
            for (int c = 0; c < width; c++) {
                // float64 text of each float32 value: the server casts back to float32, as MLflow's pyfunc does
                data.append(c == 0 ? "" : ",").append((double) ref.flatInputs()[r * width + c]);
            }
            data.append(']');
        }
        data.append(']');
        var columns = new ArrayList<String>();
        for (int c = 0; c < width; c++) {
            columns.add(ref.json().has("columns") ? ref.json().get("columns").get(c).asText() : "px" + c);
        }
        String path = model.equals("breast-cancer") ? "/invocations" : "/serving-endpoints/" + model + "/invocations";
        Response r = served.call("POST", path, "{\"dataframe_split\":{\"columns\":"
                + ModelPipeline.JSON.writeValueAsString(columns) + ",\"data\":" + data + "}}");
        assertEquals(200, r.status(), r.bodyText());
        JsonNode predictions = ModelPipeline.json(r).get("predictions");
        assertEquals(ref.rows(), predictions.size());
        var got = new ArrayList<Double>();
        String out = ref.json().get("output").asText();
        predictions.forEach(rec -> {
            JsonNode v = rec.get(out);
            if (v.isArray()) {
                v.forEach(x -> got.add((double) (float) x.asDouble()));
            } else {
                got.add((double) (float) v.asDouble());
            }
        });
        assertMatches(model, ref, got.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"breast-cancer"})
    void mlflowCsvAndRecordsMatchPyTorch(String model) throws Exception {
        Reference ref = Reference.of(model);
        JsonNode columns = ref.json().get("columns");
        var csv = new StringBuilder();
        var records = new StringBuilder("[");
        for (int c = 0; c < columns.size(); c++) {
            csv.append(c == 0 ? "" : ",").append(columns.get(c).asText());
        }
        csv.append('\n');
        for (int r = 0; r < ref.rows(); r++) {
            records.append(r == 0 ? "{" : ",{");
            for (int c = 0; c < columns.size(); c++) {
                double v = ref.flatInputs()[r * columns.size() + c];
                csv.append(c == 0 ? "" : ",").append(v);
                records.append(c == 0 ? "" : ",").append('"').append(columns.get(c).asText()).append("\":").append(v);
            }
            csv.append('\n');
            records.append('}');
        }
        records.append(']');
        Response byCsv = served.call("POST", "/invocations", csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "Authorization", "Bearer alice", "Content-Type", "text/csv");
        Response byRecords = served.call("POST", "/invocations", "{\"dataframe_records\":" + records + "}");
        for (Response r : List.of(byCsv, byRecords)) {
            assertEquals(200, r.status(), r.bodyText());
            JsonNode predictions = ModelPipeline.json(r).get("predictions");
            double[] got = new double[predictions.size()];
            for (int i = 0; i < got.length; i++) {
                got[i] = (float) predictions.get(i).get("probability").asDouble();
            }
            assertMatches(model, ref, got);
        }
    }
}
