package io.lightbridge.protocol.v2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.model.DType;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.Tensor;
import io.lightbridge.model.TensorBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An Open Inference Protocol v2 infer request, decoded: JSON tensors, or the binary tensor extension
 * (a JSON header of {@code Inference-Header-Content-Length} bytes followed by the raw data of every input that
 * declares {@code parameters.binary_data_size}, in input order).
 *
 * @param binaryOutputs   output names whose data goes back in binary ({@code parameters.binary_data})
 * @param allBinary       {@code parameters.binary_data_output} on the request: every output in binary
 */
record InferRequest(String id, List<Tensor> inputs, List<String> outputs, List<String> binaryOutputs, boolean allBinary) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static InferRequest decode(byte[] body, String headerLength) throws ModelCallException {
        int jsonLength = body.length;
        if (headerLength != null) {
            try {
                jsonLength = Integer.parseInt(headerLength.trim());
            } catch (NumberFormatException e) {
                throw ModelCallException.badInput("Inference-Header-Content-Length is not a number");
            }
            if (jsonLength < 0 || jsonLength > body.length) {
                throw ModelCallException.badInput("Inference-Header-Content-Length " + jsonLength
                        + " is outside the body of " + body.length + " bytes");
            }
        }
        JsonNode root;
        try {
            root = JSON.readTree(body, 0, jsonLength);
        } catch (JsonProcessingException e) {
            throw ModelCallException.badInput("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ModelCallException.badInput("request body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ModelCallException.badInput("request body must be a JSON object with \"inputs\"");
        }
        JsonNode id = root.get("id");
        if (id != null && !id.isTextual()) {
            throw ModelCallException.badInput("\"id\" must be a string");
        }
        JsonNode inputsNode = root.get("inputs");
        if (inputsNode == null || !inputsNode.isArray() || inputsNode.isEmpty()) {
            throw ModelCallException.badInput("\"inputs\" must be a non-empty array");
        }
        ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        var inputs = new ArrayList<Tensor>();
        for (JsonNode in : inputsNode) {
            inputs.add(input(in, binary));
        }
        if (binary.hasRemaining()) {
            throw ModelCallException.badInput(binary.remaining() + " byte(s) of binary data follow the last input's binary_data_size");
        }
        var outputs = new ArrayList<String>();
        var binaryOutputs = new ArrayList<String>();
        JsonNode outs = root.get("outputs");
        if (outs != null) {
            if (!outs.isArray()) {
                throw ModelCallException.badInput("\"outputs\" must be an array");
            }
            for (JsonNode o : outs) {
                String name = o.path("name").asText(null);
                if (name == null || !o.get("name").isTextual()) {
                    throw ModelCallException.badInput("every requested output needs a \"name\"");
                }
                outputs.add(name);
                if (o.path("parameters").path("binary_data").asBoolean(false)) {
                    binaryOutputs.add(name);
                }
            }
        }
        boolean allBinary = root.path("parameters").path("binary_data_output").asBoolean(false);
        return new InferRequest(id == null ? null : id.asText(), inputs, outputs, binaryOutputs, allBinary);
    }

    private static Tensor input(JsonNode in, ByteBuffer binary) throws ModelCallException {
        String name = in.path("name").isTextual() ? in.get("name").asText() : null;
        if (name == null) {
            throw ModelCallException.badInput("every input needs a \"name\" string");
        }
        DType type = DType.ofWireName(in.path("datatype").asText(null));
        if (type == null) {
            throw ModelCallException.badInput("input '" + name + "' has datatype '" + in.path("datatype").asText("")
                    + "', expected one of BOOL, UINT8, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES");
        }
        JsonNode shapeNode = in.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw ModelCallException.badInput("input '" + name + "' needs a \"shape\" array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToExactIntegral() || d.asLong() < 0) {
                throw ModelCallException.badInput("input '" + name + "' has shape " + shapeNode + ": dimensions are non-negative integers");
            }
            shape[i] = d.asLong();
        }
        long elements;
        try {
            elements = Tensor.elementCount(shape);
        } catch (ArithmeticException e) {
            throw ModelCallException.badInput("input '" + name + "' has a shape too large to hold");
        }
        if (elements > Integer.MAX_VALUE / 8) {
            throw ModelCallException.badInput("input '" + name + "' has a shape too large to hold");
        }
        JsonNode size = in.path("parameters").get("binary_data_size");
        try {
            TensorBuilder b = new TensorBuilder(type, (int) elements);
            if (size != null) {
                if (in.has("data")) {
                    throw ModelCallException.badInput("input '" + name + "' has both \"data\" and binary_data_size");
                }
                readBinary(name, b, size.asLong(-1), binary, elements);
            } else {
                JsonNode data = in.get("data");
                if (data == null) {
                    throw ModelCallException.badInput("input '" + name + "' has no \"data\" (nor binary_data_size)");
                }
                addJson(b, data);
            }
            return b.build(name, shape);
        } catch (IllegalArgumentException e) {
            throw ModelCallException.badInput("input '" + name + "' " + e.getMessage());
        }
    }

    private static void readBinary(String name, TensorBuilder b, long size, ByteBuffer binary, long elements)
            throws ModelCallException {
        if (size < 0 || size > binary.remaining()) {
            throw ModelCallException.badInput("input '" + name + "' declares binary_data_size " + size + " but "
                    + binary.remaining() + " byte(s) of binary data are left");
        }
        ByteBuffer chunk = binary.slice(binary.position(), (int) size).order(ByteOrder.LITTLE_ENDIAN);
        binary.position(binary.position() + (int) size);
        if (b.type() != DType.BYTES) {
            if (size != elements * b.type().byteSize()) {
                throw ModelCallException.badInput("input '" + name + "' has binary_data_size " + size + ", its shape and "
                        + b.type().wireName() + " need " + elements * b.type().byteSize());
            }
            b.addRaw(chunk);
            return;
        }
        while (chunk.hasRemaining()) {
            if (chunk.remaining() < 4) {
                throw ModelCallException.badInput("input '" + name + "': BYTES element without its 4-byte length");
            }
            int len = chunk.getInt();
            if (len < 0 || len > chunk.remaining()) {
                throw ModelCallException.badInput("input '" + name + "': BYTES element length " + len + " runs past the data");
            }
            byte[] s = new byte[len];
            chunk.get(s);
            b.addString(new String(s, StandardCharsets.UTF_8));
        }
    }

    /** Flattens nested arrays row-major, as the protocol allows either form. */
    private static void addJson(TensorBuilder b, JsonNode node) {
        if (node.isArray()) {
            for (JsonNode e : node) {
                addJson(b, e);
            }
        } else if (node.isNumber()) {
            b.addNumber(node.asDouble(), node.asLong(), node.canConvertToExactIntegral());
        } else if (node.isBoolean()) {
            b.addBool(node.asBoolean());
        } else if (node.isTextual()) {
            b.addString(node.asText());
        } else {
            throw new IllegalArgumentException("has an element that is " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", expected numbers, booleans or strings");
        }
    }
}
