package io.lightbridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lightbridge.audit.AuditRecord;
import io.lightbridge.pipeline.Response;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v2 model routes through the real Pipeline: features, every error path, identity and policy. */
class OpenInferenceProtocolTest {

    @TempDir
    static Path tmp;
    private static ModelPipeline served;

    private static final String ROW = "[17.99,10.38,122.8,1001,0.1184,0.2776,0.3001,0.1471,0.2419,0.07871,1.095,0.9053,"
            + "8.589,153.4,0.006399,0.04904,0.05373,0.01587,0.03003,0.006193,25.38,17.33,184.6,2019,0.1622,0.6656,0.7119,"
            + "0.2654,0.4601,0.1189]";

    @BeforeAll
    static void open() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer", "identity-all-types", "gather");
        served = new ModelPipeline(ModelPipeline.config(repo).withMaxRequestBytes(100_000));
    }

    @AfterAll
    static void close() {
        served.close();
    }

    private static String mlp(String datatype, String shape, String data) {
        return "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":" + data + "}]}";
    }

    private static void assertError(Response r, int status, String fragment) {
        assertEquals(status, r.status(), r.bodyText());
        String error = ModelPipeline.json(r).get("error").asText();
        assertTrue(error.contains(fragment), "error '" + error + "' should mention '" + fragment + "'");
    }

    @Test
    void metadataNamesInputsOutputsAndVersions() {
        Response r = served.call("GET", "/v2/models/breast-cancer", null);
        assertEquals(200, r.status(), r.bodyText());
        JsonNode j = ModelPipeline.json(r);
        assertEquals("breast-cancer", j.get("name").asText());
        assertEquals("onnxruntime_onnx", j.get("platform").asText());
        assertEquals("[\"1\"]", j.get("versions").toString());
        assertEquals("{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,30]}", j.get("inputs").get(0).toString());
        assertEquals("{\"name\":\"probability\",\"datatype\":\"FP32\",\"shape\":[-1,1]}", j.get("outputs").get(0).toString());
        assertEquals(200, served.call("GET", "/v2/models/breast-cancer/versions/1", null).status());
    }

    @Test
    void readyAnswersTrueForServedVersionsAnd404ForUnknownOnes() {
        Response r = served.call("GET", "/v2/models/breast-cancer/versions/1/ready", null);
        assertEquals(200, r.status());
        assertEquals(true, ModelPipeline.json(r).get("ready").asBoolean());
        assertEquals(200, served.call("GET", "/v2/models/breast-cancer/ready", null).status());
        assertError(served.call("GET", "/v2/models/breast-cancer/versions/9/ready", null), 404, "version 9");
        assertError(served.call("GET", "/v2/models/nope/ready", null), 404, "unknown model 'nope'");
    }

    @Test
    void inferEchoesIdAndNamesTheVersionAndTheAuditRecordHasIt() {
        Response r = served.call("POST", "/v2/models/breast-cancer/infer",
                "{\"id\":\"abc-7\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":" + ROW + "}]}");
        assertEquals(200, r.status(), r.bodyText());
        JsonNode j = ModelPipeline.json(r);
        assertEquals("abc-7", j.get("id").asText());
        assertEquals("1", j.get("model_version").asText());
        assertTrue(j.get("outputs").get(0).get("data").get(0).asDouble() < 0.01, "a malignant sample: P(benign) is low");
        String requestId = r.header("X-Request-Id");
        AuditRecord rec = served.audit.stream().filter(a -> a.requestId().equals(requestId)).findFirst().orElseThrow();
        assertEquals("breast-cancer", rec.model());
        assertEquals("1", rec.modelVersion());
        assertEquals("infer", rec.action());
        assertEquals(200, rec.status());
    }

    @Test
    void nestedAndFlatDataAreTheSame() {
        String flat = served.call("POST", "/v2/models/breast-cancer/infer", mlp("FP32", "[1,30]", ROW)).bodyText();
        String nested = served.call("POST", "/v2/models/breast-cancer/infer", mlp("FP32", "[1,30]", "[" + ROW + "]")).bodyText();
        assertEquals(flat, nested);
        String dataFirst = served.call("POST", "/v2/models/breast-cancer/infer", "{\"inputs\":[{\"data\":" + ROW
                + ",\"name\":\"input\",\"shape\":[1,30],\"datatype\":\"FP32\"}]}").bodyText();
        assertEquals(flat, dataFirst, "fields in any order");
    }

    @Test
    void everyElementTypeRoundTripsThroughJson() {
        String body = "{\"inputs\":["
                + "{\"name\":\"in_fp32\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1.5,-2.25]},"
                + "{\"name\":\"in_fp64\",\"datatype\":\"FP64\",\"shape\":[1,2],\"data\":[0.1,1e300]},"
                + "{\"name\":\"in_fp16\",\"datatype\":\"FP16\",\"shape\":[1,2],\"data\":[0.5,-3]},"
                + "{\"name\":\"in_bf16\",\"datatype\":\"BF16\",\"shape\":[1,2],\"data\":[2,-0.5]},"
                + "{\"name\":\"in_int8\",\"datatype\":\"INT8\",\"shape\":[1,2],\"data\":[-128,127]},"
                + "{\"name\":\"in_uint8\",\"datatype\":\"UINT8\",\"shape\":[1,2],\"data\":[0,255]},"
                + "{\"name\":\"in_int16\",\"datatype\":\"INT16\",\"shape\":[1,2],\"data\":[-32768,32767]},"
                + "{\"name\":\"in_int32\",\"datatype\":\"INT32\",\"shape\":[1,2],\"data\":[-2147483648,2147483647]},"
                + "{\"name\":\"in_int64\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[-9223372036854775808,9223372036854775807]},"
                + "{\"name\":\"in_bool\",\"datatype\":\"BOOL\",\"shape\":[1,2],\"data\":[true,false]},"
                + "{\"name\":\"in_bytes\",\"datatype\":\"BYTES\",\"shape\":[1,2],\"data\":[\"héllo\",\"\"]}]}";
        Response r = served.call("POST", "/v2/models/identity-all-types/infer", body);
        assertEquals(200, r.status(), r.bodyText());
        var byName = new java.util.HashMap<String, JsonNode>();
        ModelPipeline.json(r).get("outputs").forEach(o -> byName.put(o.get("name").asText(), o));
        assertEquals("[1.5,-2.25]", byName.get("out_fp32").get("data").toString());
        assertEquals("[0.1,1.0E300]", byName.get("out_fp64").get("data").toString());
        assertEquals("[0.5,-3.0]", byName.get("out_fp16").get("data").toString());
        assertEquals("[2.0,-0.5]", byName.get("out_bf16").get("data").toString());
        assertEquals("[-128,127]", byName.get("out_int8").get("data").toString());
        assertEquals("[0,255]", byName.get("out_uint8").get("data").toString());
        assertEquals("[-32768,32767]", byName.get("out_int16").get("data").toString());
        assertEquals("[-2147483648,2147483647]", byName.get("out_int32").get("data").toString());
        assertEquals("[-9223372036854775808,9223372036854775807]", byName.get("out_int64").get("data").toString());
        assertEquals("[true,false]", byName.get("out_bool").get("data").toString());
        assertEquals("[\"héllo\",\"\"]", byName.get("out_bytes").get("data").toString());
        assertEquals("FP16", byName.get("out_fp16").get("datatype").asText());
    }

    @Test
    void requestedOutputsOnlyAndInThatOrder() {
        var sb = new StringBuilder("{\"inputs\":[");
        String[][] types = {{"fp32", "FP32", "1"}, {"fp64", "FP64", "1"}, {"fp16", "FP16", "1"}, {"bf16", "BF16", "1"},
                {"int8", "INT8", "1"}, {"uint8", "UINT8", "1"}, {"int16", "INT16", "1"}, {"int32", "INT32", "1"},
                {"int64", "INT64", "1"}, {"bool", "BOOL", "true"}, {"bytes", "BYTES", "\"x\""}};
        for (int i = 0; i < types.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"name\":\"in_").append(types[i][0]).append("\",\"datatype\":\"")
                    .append(types[i][1]).append("\",\"shape\":[1,2],\"data\":[").append(types[i][2]).append(',')
                    .append(types[i][2]).append("]}");
        }
        sb.append("],\"outputs\":[{\"name\":\"out_int8\"},{\"name\":\"out_bytes\"}]}");
        Response r = served.call("POST", "/v2/models/identity-all-types/infer", sb.toString());
        assertEquals(200, r.status(), r.bodyText());
        JsonNode outs = ModelPipeline.json(r).get("outputs");
        assertEquals(2, outs.size());
        assertEquals("out_int8", outs.get(0).get("name").asText());
        assertEquals("out_bytes", outs.get(1).get("name").asText());
        assertError(served.call("POST", "/v2/models/identity-all-types/infer",
                sb.toString().replace("out_int8", "out_nope")), 400, "requested output 'out_nope'");
    }

    @Test
    void binaryTensorExtensionInAndOut() throws Exception {
        String header = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],"
                + "\"parameters\":{\"binary_data_size\":120}}],\"outputs\":[{\"name\":\"probability\",\"parameters\":{\"binary_data\":true}}]}";
        JsonNode row = ModelPipeline.JSON.readTree(ROW);
        ByteBuffer data = ByteBuffer.allocate(120).order(ByteOrder.LITTLE_ENDIAN);
        row.forEach(v -> data.putFloat((float) v.asDouble()));
        var body = new ByteArrayOutputStream();
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        body.writeBytes(json);
        body.writeBytes(data.array());
        Response r = served.call("POST", "/v2/models/breast-cancer/infer", body.toByteArray(),
                "Authorization", "Bearer alice", "Content-Type", "application/octet-stream",
                "Inference-Header-Content-Length", Integer.toString(json.length));
        assertEquals(200, r.status(), r.bodyText());
        int jsonLength = Integer.parseInt(r.header("Inference-Header-Content-Length"));
        JsonNode head = ModelPipeline.JSON.readTree(new String(r.body(), 0, jsonLength, StandardCharsets.UTF_8));
        assertEquals(4, head.get("outputs").get(0).get("parameters").get("binary_data_size").asInt());
        float binary = ByteBuffer.wrap(r.body(), jsonLength, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        JsonNode viaJson = ModelPipeline.json(served.call("POST", "/v2/models/breast-cancer/infer", mlp("FP32", "[1,30]", ROW)));
        assertEquals((float) viaJson.get("outputs").get(0).get("data").get(0).asDouble(), binary, 0f);

        assertError(served.call("POST", "/v2/models/breast-cancer/infer", body.toByteArray(), "Authorization", "Bearer alice",
                "Inference-Header-Content-Length", Integer.toString(json.length + 500)), 400, "outside the body");
        byte[] shortBody = java.util.Arrays.copyOf(body.toByteArray(), body.size() - 4);
        assertError(served.call("POST", "/v2/models/breast-cancer/infer", shortBody, "Authorization", "Bearer alice",
                "Inference-Header-Content-Length", Integer.toString(json.length)), 400, "binary_data_size 120");
    }

    @Test
    void binaryBytesElementsCarryLengthPrefixes() {
        String header = "{\"inputs\":[" + identityInputsExceptBytes()
                + "{\"name\":\"in_bytes\",\"datatype\":\"BYTES\",\"shape\":[1,2],\"parameters\":{\"binary_data_size\":11}}],"
                + "\"outputs\":[{\"name\":\"out_bytes\"}],\"parameters\":{\"binary_data_output\":true}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(json.length + 11).order(ByteOrder.LITTLE_ENDIAN);
        b.put(json).putInt(2).put("ab".getBytes(StandardCharsets.UTF_8)).putInt(1).put((byte) 'c');
        Response r = served.call("POST", "/v2/models/identity-all-types/infer", b.array(), "Authorization", "Bearer admin",
                "Inference-Header-Content-Length", Integer.toString(json.length));
        assertEquals(200, r.status(), r.bodyText());
        int jsonLength = Integer.parseInt(r.header("Inference-Header-Content-Length"));
        ByteBuffer out = ByteBuffer.wrap(r.body(), jsonLength, r.body().length - jsonLength).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, out.getInt());
        assertEquals('a', out.get());
        assertEquals('b', out.get());
        assertEquals(1, out.getInt());
        assertEquals('c', out.get());
    }

    private static String identityInputsExceptBytes() {
        var sb = new StringBuilder();
        for (String[] t : new String[][] {{"fp32", "FP32"}, {"fp64", "FP64"}, {"fp16", "FP16"}, {"bf16", "BF16"},
                {"int8", "INT8"}, {"uint8", "UINT8"}, {"int16", "INT16"}, {"int32", "INT32"}, {"int64", "INT64"}}) {
            sb.append("{\"name\":\"in_").append(t[0]).append("\",\"datatype\":\"").append(t[1])
                    .append("\",\"shape\":[1,2],\"data\":[1,2]},");
        }
        return sb.append("{\"name\":\"in_bool\",\"datatype\":\"BOOL\",\"shape\":[1,2],\"data\":[true,true]},").toString();
    }

    @Test
    void inputsAreCheckedAgainstTheModelBeforeItRuns() {
        String url = "/v2/models/breast-cancer/infer";
        assertError(served.call("POST", url, mlp("FP64", "[1,30]", ROW)), 400, "input 'input' has datatype FP64, the model expects FP32");
        assertError(served.call("POST", url, mlp("FP32", "[1,29]", ROW.replace(",0.1189]", "]"))), 400,
                "input 'input' has shape [1, 29], expected [-1, 30]");
        assertError(served.call("POST", url, mlp("FP32", "[30]", ROW)), 400, "input 'input' has rank 1");
        assertError(served.call("POST", url, mlp("FP32", "[2,30]", ROW)), 400, "input 'input' has 30 element(s), shape [2, 30] needs 60");
        assertError(served.call("POST", url, mlp("INT4", "[1,30]", ROW)), 400, "datatype 'INT4'");
        assertError(served.call("POST", url, mlp("FP32", "[1,30]", ROW.replace("17.99", "\"x\""))), 400, "expected a FP32 number");
        assertError(served.call("POST", url, mlp("FP32", "[1,30]", ROW.replace("17.99", "null"))), 400, "input 'input' has an element that is null");
        assertError(served.call("POST", url, mlp("FP32", "[1,30]", ROW).replace("\"input\"", "\"x\"")), 400,
                "input 'x' is not an input of breast-cancer");
        assertError(served.call("POST", url, "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":"
                + ROW + "},{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":" + ROW + "}]}"), 400,
                "takes 1 input(s) [input], the request has 2");
        assertError(served.call("POST", url, "{\"inputs\":[]}"), 400, "\"inputs\" must be a non-empty array");
        assertError(served.call("POST", url, "{\"inputs\":"), 400, "not valid JSON");
        assertError(served.call("POST", url, mlp("FP32", "[1,-30]", ROW)), 400, "dimensions are non-negative integers");
        assertError(served.call("POST", "/v2/models/identity-all-types/infer",
                "{\"inputs\":[{\"name\":\"in_uint8\",\"datatype\":\"UINT8\",\"shape\":[1,2],\"data\":[1,256]}]}"), 400,
                "256 is out of range for UINT8");
        assertError(served.call("POST", "/v2/models/gather/infer",
                "{\"inputs\":[{\"name\":\"idx\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[1.5]}]}"), 400,
                "expected an integer for INT64, got 1.5");
        assertError(served.call("POST", "/v2/models/gather/infer",
                "{\"inputs\":[{\"data\":[18446744073709551616],\"name\":\"idx\",\"datatype\":\"INT64\",\"shape\":[1]}]}"), 400,
                "18446744073709551616 is out of range for INT64");
        assertError(served.call("POST", "/v2/models/gather/infer",
                "{\"inputs\":[{\"name\":\"idx\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[18446744073709551616]}]}"), 400,
                "out of range");
        Response big = served.call("POST", "/v2/models/identity-all-types/infer",
                "{\"inputs\":[{\"name\":\"in_fp64\",\"datatype\":\"FP64\",\"shape\":[1,2],\"data\":[100000000000000000000,1]}],"
                + "\"outputs\":[{\"name\":\"out_fp64\"}]}");
        assertEquals(400, big.status(), "the identity model needs all inputs; the big integer itself was accepted: " + big.bodyText());
        assertTrue(big.bodyText().contains("takes 11 input(s)"), big.bodyText());
    }

    @Test
    void unknownModelOrVersionIs404() {
        assertError(served.call("POST", "/v2/models/nope/infer", mlp("FP32", "[1,30]", ROW)), 404, "unknown model 'nope'");
        assertError(served.call("POST", "/v2/models/breast-cancer/versions/7/infer", mlp("FP32", "[1,30]", ROW)), 404,
                "version 7 is not served");
        assertError(served.call("POST", "/v2/models/breast-cancer/versions/champion/infer", mlp("FP32", "[1,30]", ROW)), 404,
                "no version or alias 'champion'");
        assertEquals(404, served.call("GET", "/v2/models/..%2f..%2fetc/ready", null).status());
        assertEquals(404, served.call("GET", "/v2/models/../ready", null).status());
        assertEquals(404, served.call("GET", "/v2/models/Breast-Cancer", null).status());
    }

    @Test
    void unsupportedContentTypeIs415AndOversizedBodyIs413() {
        assertError(served.call("POST", "/v2/models/breast-cancer/infer", ROW.getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer admin", "Content-Type", "text/plain"), 415, "content type 'text/plain'");
        assertError(served.call("POST", "/v2/models/breast-cancer/infer", new byte[100_001],
                "Authorization", "Bearer admin", "Content-Type", "application/json"), 413, "over the limit of 100000");
    }

    @Test
    void modelErrorIs500WithRequestIdAndTheModelKeepsServing() {
        Response bad = served.call("POST", "/v2/models/gather/infer",
                "{\"inputs\":[{\"name\":\"idx\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[7]}]}");
        assertError(bad, 500, "model error");
        assertTrue(bad.header("X-Request-Id") != null && !bad.header("X-Request-Id").isEmpty());
        AuditRecord rec = served.audit.stream().filter(a -> a.requestId().equals(bad.header("X-Request-Id"))).findFirst().orElseThrow();
        assertEquals("model_error", rec.errorClass());
        Response good = served.call("POST", "/v2/models/gather/infer",
                "{\"inputs\":[{\"name\":\"idx\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[2,0]}]}");
        assertEquals(200, good.status(), good.bodyText());
        assertEquals("[30.0,10.0]", ModelPipeline.json(good).get("outputs").get(0).get("data").toString());
    }

    @Test
    void identityAndPolicyGuardEveryModelRoute() {
        String body = mlp("FP32", "[1,30]", ROW);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Response anonymous = served.call("POST", "/v2/models/breast-cancer/infer", bytes, "Content-Type", "application/json");
        assertEquals(401, anonymous.status());
        assertTrue(anonymous.header("WWW-Authenticate").startsWith("Bearer"));
        Response bob = served.call("POST", "/v2/models/breast-cancer/infer", bytes, "Authorization", "Bearer bob");
        assertError(bob, 403, "missing permission: infer on breast-cancer");
        assertEquals(200, served.call("GET", "/v2/models/breast-cancer", new byte[0], "Authorization", "Bearer bob").status());
        assertError(served.call("POST", "/v2/repository/index", new byte[0], "Authorization", "Bearer alice"), 403,
                "missing permission: admin on *");
        assertError(served.call("POST", "/v2/repository/models/breast-cancer/unload", new byte[0], "Authorization", "Bearer alice"),
                403, "missing permission: admin on breast-cancer");
        assertEquals(405, served.call("GET", "/v2/models/breast-cancer/infer", null).status());
        assertEquals(405, served.call("POST", "/v2/models/breast-cancer", body).status());
        assertEquals(404, served.call("GET", "/v2", null).status(), "server routes belong to ServerRoutes");
    }

    @Test
    void repositoryIndexListsVersionsWithState() {
        Response r = served.call("POST", "/v2/repository/index", "{}");
        assertEquals(200, r.status(), r.bodyText());
        String text = r.bodyText();
        assertTrue(text.contains("{\"name\":\"breast-cancer\",\"version\":\"1\",\"state\":\"READY\",\"reason\":\"\"}"), text);
        assertError(served.call("POST", "/v2/repository/index", "[1]"), 400, "must be a JSON object");
        assertError(served.call("POST", "/v2/repository/models/nope/load", null), 404, "no model directory 'nope'");
    }
}
