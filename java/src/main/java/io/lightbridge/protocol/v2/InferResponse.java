package io.lightbridge.protocol.v2;

import io.lightbridge.model.DType;
import io.lightbridge.model.InferenceResult;
import io.lightbridge.model.Tensor;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Json;
import io.lightbridge.pipeline.Response;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes a v2 infer response: JSON data, or the binary tensor extension for outputs that asked for it. */
final class InferResponse {
    private InferResponse() {}

    static Response encode(InferenceResult result, String id, List<String> binaryOutputs, boolean allBinary) {
        var sb = new StringBuilder(capacity(result, id, binaryOutputs, allBinary));
        Json.appendQuoted(sb.append("{\"model_name\":"), result.model());
        Json.appendQuoted(sb.append(",\"model_version\":"), result.version());
        if (id != null) {
            Json.appendQuoted(sb.append(",\"id\":"), id);
        }
        sb.append(",\"outputs\":[");
        ByteArrayOutputStream binary = null;
        boolean first = true;
        for (Tensor t : result.outputs()) {
            Json.appendQuoted(sb.append(first ? "" : ",").append("{\"name\":"), t.name())
                    .append(",\"datatype\":\"").append(t.type().wireName()).append("\",\"shape\":[");
            for (int i = 0; i < t.rank(); i++) {
                sb.append(i == 0 ? "" : ",").append(t.dim(i));
            }
            sb.append(']');
            if (allBinary || binaryOutputs.contains(t.name())) {
                byte[] raw = raw(t);
                if (binary == null) {
                    binary = new ByteArrayOutputStream();
                }
                binary.writeBytes(raw);
                sb.append(",\"parameters\":{\"binary_data_size\":").append(raw.length).append("}}");
            } else {
                sb.append(",\"data\":[");
                for (int i = 0, n = (int) t.elementCount(); i < n; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    t.appendJson(sb, i);
                }
                sb.append("]}");
            }
            first = false;
        }
        sb.append("]}");
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (binary == null || binary.size() == 0) {
            return Response.json(200, json);
        }
        var body = new ByteArrayOutputStream(json.length + binary.size());
        body.writeBytes(json);
        body.writeBytes(binary.toByteArray());
        return new Response(200, Headers.of("Content-Type", "application/octet-stream",
                "Inference-Header-Content-Length", Integer.toString(json.length)), body.toByteArray());
    }

    /**
     * Room for the JSON part as it is usually written (numbers up to 16 characters), so a small body's builder does
     * not grow; large bodies grow past the cap as before.
     */
    private static int capacity(InferenceResult result, String id, List<String> binaryOutputs, boolean allBinary) {
        long n = 96 + result.model().length() + result.version().length() + (id == null ? 0 : id.length() + 8);
        for (Tensor t : result.outputs()) {
            n += 80 + t.name().length() + 20L * t.rank();
            if (!allBinary && !binaryOutputs.contains(t.name())) {
                n += 16 * t.elementCount();
            }
        }
        return (int) Math.min(n, 64 * 1024);
    }

    /** Raw little-endian elements; BYTES as 4-byte little-endian length + UTF-8 bytes per element. */
    private static byte[] raw(Tensor t) {
        if (t.type() != DType.BYTES) {
            ByteBuffer b = t.bytes();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
        var out = new ByteArrayOutputStream();
        for (String s : t.strings()) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
            out.writeBytes(utf8);
        }
        return out.toByteArray();
    }
}
