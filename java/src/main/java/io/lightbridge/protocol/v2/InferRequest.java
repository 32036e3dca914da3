package io.lightbridge.protocol.v2;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /** The fast double parser: tensor data is mostly decimal numbers, and Double.parseDouble dominated decoding. */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER).build());

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
        ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        try (JsonParser p = JSON.getFactory().createParser(body, 0, jsonLength)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ModelCallException.badInput("request body must be a JSON object with \"inputs\"");
            }
            String id = null;
            List<Tensor> inputs = null;
            JsonNode outs = null;
            JsonNode params = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw ModelCallException.badInput("\"id\" must be a string");
                        }
                        id = p.getText();
                    }
                    case "inputs" -> inputs = inputs(p, binary);
                    case "outputs" -> outs = p.readValueAsTree();
                    case "parameters" -> params = p.readValueAsTree();
                    default -> p.skipChildren();
                }
            }
            if (inputs == null || inputs.isEmpty()) {
                throw ModelCallException.badInput("\"inputs\" must be a non-empty array");
            }
            if (binary.hasRemaining()) {
                throw ModelCallException.badInput(binary.remaining() + " byte(s) of binary data follow the last input's binary_data_size");
            }
            return finish(id, inputs, outs, params);
        } catch (JsonProcessingException e) {
            throw ModelCallException.badInput("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ModelCallException.badInput("request body cannot be read: " + e.getMessage());
        }
    }

    private static InferRequest finish(String id, List<Tensor> inputs, JsonNode outs, JsonNode params)
            throws ModelCallException {
        if (outs == null && params == null) {
            return new InferRequest(id, inputs, List.of(), List.of(), false);
        }
        var outputs = new ArrayList<String>();
        var binaryOutputs = new ArrayList<String>();
        if (outs != null) {
            if (!outs.isArray()) {
                throw ModelCallException.badInput("\"outputs\" must be an array");
            }
            for (JsonNode o : outs) {
                if (!o.path("name").isTextual()) {
                    throw ModelCallException.badInput("every requested output needs a \"name\"");
                }
                String name = o.get("name").asText();
                outputs.add(name);
                if (o.path("parameters").path("binary_data").asBoolean(false)) {
                    binaryOutputs.add(name);
                }
            }
        }
        boolean allBinary = params != null && params.path("binary_data_output").asBoolean(false);
        return new InferRequest(id, inputs, outputs, binaryOutputs, allBinary);
    }

    /**
     * The inputs array. When an input gives its name, datatype and shape before "data" (as clients write it) the elements
     * stream straight into the tensor; otherwise the input is read as a tree first.
     */
    private static List<Tensor> inputs(JsonParser p, ByteBuffer binary) throws java.io.IOException, ModelCallException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw ModelCallException.badInput("\"inputs\" must be a non-empty array");
        }
        var inputs = new ArrayList<Tensor>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw ModelCallException.badInput("every input must be an object");
            }
            var header = new InputHeader();
            TensorBuilder streamed = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("data") && streamed == null && header.streamable()) {
                    streamed = header.builder();
                    stream(p, streamed, header.nameOr("?"));
                } else {
                    header.read(field, p);
                }
            }
            if (streamed != null) {
                inputs.add(header.build(streamed));
            } else {
                inputs.add(input(header.tree(), binary));
            }
        }
        return inputs;
    }

    /**
     * One input's fields besides its streamed "data". The usual header (string name and datatype, a shape of
     * non-negative integers) is kept in plain fields; anything else turns it into a JSON tree, which the general
     * checks read. Both forms give the same tensors and the same 400s.
     */
    private static final class InputHeader {
        private String name;
        private String datatype;
        private long[] shape;
        private ObjectNode tree;

        void read(String field, JsonParser p) throws java.io.IOException {
            JsonToken t = p.currentToken();
            if (tree == null) {
                if (field.equals("name") && t == JsonToken.VALUE_STRING) {
                    name = p.getText();
                    return;
                }
                if (field.equals("datatype") && t == JsonToken.VALUE_STRING) {
                    datatype = p.getText();
                    return;
                }
                if (field.equals("shape") && t == JsonToken.START_ARRAY) {
                    readShape(p);
                    return;
                }
                tree();
            }
            if (t == JsonToken.VALUE_STRING) {
                tree.put(field, p.getText());
            } else if (field.equals("shape") && t == JsonToken.START_ARRAY) {
                tree.set(field, dims(p, JSON.createArrayNode(), p.nextToken()));
            } else {
                tree.set(field, p.readValueAsTree());
            }
        }

        /** Reads dimensions while they are non-negative integers; at any other element the header becomes a tree. */
        private void readShape(JsonParser p) throws java.io.IOException {
            long[] dims = new long[4];
            int n = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        || p.getLongValue() < 0) {
                    shape = null;
                    var read = JSON.createArrayNode();
                    for (int i = 0; i < n; i++) {
                        read.add(dims[i]);
                    }
                    tree().set("shape", dims(p, read, t));
                    return;
                }
                if (n == dims.length) {
                    dims = java.util.Arrays.copyOf(dims, n * 2);
                }
                dims[n++] = p.getLongValue();
            }
            shape = java.util.Arrays.copyOf(dims, n);
        }

        /** The header as a tree (from now on every field goes there). */
        ObjectNode tree() {
            if (tree == null) {
                tree = JSON.createObjectNode();
                if (name != null) {
                    tree.put("name", name);
                }
                if (datatype != null) {
                    tree.put("datatype", datatype);
                }
                if (shape != null) {
                    var dims = tree.putArray("shape");
                    for (long d : shape) {
                        dims.add(d);
                    }
                }
            }
            return tree;
        }

        /** Data can stream once the name, datatype and shape are known; in any other order it is read as a tree. */
        boolean streamable() {
            return tree == null ? name != null && datatype != null && shape != null
                    : tree.path("name").isTextual() && tree.has("datatype") && tree.has("shape")
                            && !tree.path("parameters").has("binary_data_size");
        }

        String nameOr(String fallback) {
            return tree == null ? (name == null ? fallback : name) : tree.path("name").asText(fallback);
        }

        TensorBuilder builder() throws ModelCallException {
            if (tree != null) {
                String name = name(tree);
                return new TensorBuilder(type(tree, name), (int) elements(name, shape(tree, name)));
            }
            String name = checkedName();
            return new TensorBuilder(type(datatype, name), (int) elements(name, shape));
        }

        Tensor build(TensorBuilder b) throws ModelCallException {
            String name = tree == null ? checkedName() : name(tree);
            try {
                return b.build(name, tree == null ? shape : shape(tree, name));
            } catch (IllegalArgumentException e) {
                throw ModelCallException.badInput("input '" + name + "' " + e.getMessage());
            }
        }

        private String checkedName() throws ModelCallException {
            if (name == null) {
                throw ModelCallException.badInput(NO_NAME);
            }
            return name;
        }
    }

    /**
     * The rest of a shape array, from its element {@code first}, read token by token onto {@code dims}:
     * readValueAsTree costs a deserialization context per call.
     */
    private static JsonNode dims(JsonParser p, ArrayNode dims, JsonToken first) throws java.io.IOException {
        for (JsonToken t = first; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.VALUE_NUMBER_INT) {
                dims.add(p.getLongValue());
            } else {
                dims.add((JsonNode) p.readValueAsTree());
            }
        }
        return dims;
    }

    /** Flattens nested arrays row-major, converting each element as it is read. */
    private static void stream(JsonParser p, TensorBuilder b, String name) throws java.io.IOException, ModelCallException {
        int depth = 0;
        DType type = b.type();
        boolean floating = type == DType.FP32 || type == DType.FP64 || type == DType.FP16 || type == DType.BF16;
        JsonToken t = p.currentToken();
        try {
            do {
                switch (t) {
                    case START_ARRAY -> depth++;
                    case END_ARRAY -> depth--;
                    case VALUE_NUMBER_INT -> {
                        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            TensorBuilder.addJsonNumber(b, JSON.getNodeFactory().numberNode(p.getBigIntegerValue()));
                        } else {
                            b.addNumber(p.getDoubleValue(), p.getLongValue(), true);
                        }
                    }
                    case VALUE_NUMBER_FLOAT -> {
                        double d = p.getDoubleValue();
                        if (floating) {
                            b.addNumber(d, 0, false); // a floating-point type ignores the integral form
                        } else {
                            b.addNumber(d, (long) d, d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 0x1p63);
                        }
                    }
                    case VALUE_TRUE, VALUE_FALSE -> b.addBool(t == JsonToken.VALUE_TRUE);
                    case VALUE_STRING -> b.addString(p.getText());
                    default -> throw new IllegalArgumentException("has an element that is " + t.asString()
                            + ", expected numbers, booleans or strings");
                }
                if (depth == 0) {
                    return;
                }
                t = p.nextToken();
            } while (t != null);
        } catch (IllegalArgumentException e) {
            throw ModelCallException.badInput("input '" + name + "' " + e.getMessage());
        }
    }

    private static final String NO_NAME = "every input needs a \"name\" string";

    private static String name(JsonNode in) throws ModelCallException {
        if (!in.path("name").isTextual()) {
            throw ModelCallException.badInput(NO_NAME);
        }
        return in.get("name").asText();
    }

    private static DType type(JsonNode in, String name) throws ModelCallException {
        String datatype = in.path("datatype").asText(null);
        return type(datatype == null ? "" : datatype, name);
    }

    private static DType type(String datatype, String name) throws ModelCallException {
        DType type = DType.ofWireName(datatype);
        if (type == null) {
            throw ModelCallException.badInput("input '" + name + "' has datatype '" + datatype
                    + "', expected one of BOOL, UINT8, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES");
        }
        return type;
    }

    private static long[] shape(JsonNode in, String name) throws ModelCallException {
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
        return shape;
    }

    private static long elements(String name, long[] shape) throws ModelCallException {
        try {
            long elements = Tensor.elementCount(shape);
            if (elements <= Integer.MAX_VALUE / 8) {
                return elements;
            }
        } catch (ArithmeticException e) {
            // reported below
        }
        throw ModelCallException.badInput("input '" + name + "' has a shape too large to hold");
    }

    private static Tensor input(JsonNode in, ByteBuffer binary) throws ModelCallException {
        String name = name(in);
        DType type = type(in, name);
        long[] shape = shape(in, name);
        long elements = elements(name, shape);
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
            TensorBuilder.addJsonNumber(b, node);
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
