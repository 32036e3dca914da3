package io.lightbridge.protocol.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.ModelVersion;
import io.lightbridge.model.Tensor;
import io.lightbridge.model.TensorBuilder;
import io.lightbridge.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts a scoring request into model inputs the way MLflow's ONNX pyfunc does: a DataFrame feeds a single-input
 * model as one [rows, columns] tensor (columns in signature order when the signature names them), and a multi-input
 * model one input per column of the same name; values are cast to the model's element type (float64 → float32 where
 * the model takes float). Lightbridge additionally reshapes [rows, columns] to a single input's fixed trailing shape
 * when the element counts agree (64 pixel columns → [rows, 1, 8, 8]).
 */
final class PyfuncInputs {
    private PyfuncInputs() {}

    static List<Tensor> fromFrame(Frame frame, ModelVersion model) throws ModelCallException {
        List<TensorSpec> specs = model.inputs();
        int rows = frame.rows().size();
        if (specs.size() == 1) {
            TensorSpec spec = specs.getFirst();
            List<Integer> order = columnOrder(frame, model.columns());
            var b = new TensorBuilder(spec.type(), rows * order.size());
            for (int r = 0; r < rows; r++) {
                for (int c : order) {
                    add(b, frame.rows().get(r).get(c), spec, r, frame.columns().get(c));
                }
            }
            return List.of(build(b, spec, shapeFor(spec, rows, order.size())));
        }
        var out = new ArrayList<Tensor>();
        for (TensorSpec spec : specs) {
            int c = frame.columns().indexOf(spec.name());
            if (c < 0) {
                throw ModelCallException.badInput("input '" + spec.name() + "' has no column in the DataFrame (columns: "
                        + frame.columns() + "); " + model.model() + " takes one input per column");
            }
            var b = new TensorBuilder(spec.type(), rows);
            for (int r = 0; r < rows; r++) {
                add(b, frame.rows().get(r).get(c), spec, r, spec.name());
            }
            long[] shape = spec.rank() == 2 && spec.dim(1) == 1 ? new long[] {rows, 1} : new long[] {rows};
            out.add(build(b, spec, shape));
        }
        return out;
    }

    private static List<Integer> columnOrder(Frame frame, List<String> signatureColumns) throws ModelCallException {
        var order = new ArrayList<Integer>();
        if (signatureColumns.isEmpty()) {
            for (int i = 0; i < frame.columns().size(); i++) {
                order.add(i);
            }
            return order;
        }
        for (String col : signatureColumns) {
            int i = frame.columns().indexOf(col);
            if (i < 0) {
                throw ModelCallException.badInput("column '" + col + "' of the model signature is missing");
            }
            order.add(i);
        }
        return order;
    }

    private static long[] shapeFor(TensorSpec spec, int rows, int columns) {
        if (spec.rank() == 1 && columns == 1) {
            return new long[] {rows};
        }
        if (spec.rank() > 2) {
            long[] shape = spec.shape();
            long trailing = 1;
            for (int i = 1; i < shape.length; i++) {
                trailing = shape[i] < 0 ? -1 : trailing * shape[i];
                if (trailing < 0) {
                    break;
                }
            }
            if (trailing == columns) {
                shape[0] = rows;
                return shape;
            }
        }
        return new long[] {rows, columns};
    }

    private static void add(TensorBuilder b, Object value, TensorSpec spec, int row, String column) throws ModelCallException {
        try {
            switch (value) {
                case null -> throw new IllegalArgumentException("is empty");
                case Long l -> b.addNumber(l, l, true);
                case Double d -> b.addNumber(d, (long) (double) d, d == Math.rint(d) && !Double.isInfinite(d));
                case Boolean bool -> b.addBool(bool);
                case String s -> b.addString(s);
                default -> throw new IllegalArgumentException("is not a number, boolean or string");
            }
        } catch (IllegalArgumentException e) {
            throw ModelCallException.badInput("input '" + spec.name() + "': row " + row + ", column '" + column + "' "
                    + e.getMessage());
        }
    }

    /** Named tensors (instances / inputs); a single unnamed tensor feeds a single-input model. */
    static List<Tensor> fromTensors(Map<String, JsonNode> tensors, ModelVersion model) throws ModelCallException {
        var out = new ArrayList<Tensor>();
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty()) {
                if (model.inputs().size() != 1) {
                    throw ModelCallException.badInput(model.model() + " takes " + model.inputs().size()
                            + " inputs " + model.inputs().stream().map(TensorSpec::name).toList()
                            + "; name them: {\"inputs\": {\"name\": [...]}}");
                }
                name = model.inputs().getFirst().name();
            }
            TensorSpec spec = model.input(name);
            if (spec == null) {
                throw ModelCallException.badInput("input '" + name + "' is not an input of " + model.model() + " (inputs: "
                        + model.inputs().stream().map(TensorSpec::name).toList() + ")");
            }
            out.add(nested(name, e.getValue(), spec));
        }
        return out;
    }

    private static Tensor nested(String name, JsonNode node, TensorSpec spec) throws ModelCallException {
        var shape = new ArrayList<Long>();
        for (JsonNode n = node; n.isArray(); n = n.isEmpty() ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n.get(0)) {
            shape.add((long) n.size());
        }
        long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
        var b = new TensorBuilder(spec.type(), (int) Math.min(Integer.MAX_VALUE / 8, Tensor.elementCount(dims)));
        try {
            fill(b, node, dims, 0);
        } catch (IllegalArgumentException e) {
            throw ModelCallException.badInput("input '" + name + "' " + e.getMessage());
        }
        return build(b, spec, dims);
    }

    private static void fill(TensorBuilder b, JsonNode node, long[] dims, int depth) {
        if (depth == dims.length) {
            if (node.isNumber()) {
                TensorBuilder.addJsonNumber(b, node);
            } else if (node.isBoolean()) {
                b.addBool(node.asBoolean());
            } else if (node.isTextual()) {
                b.addString(node.asText());
            } else {
                throw new IllegalArgumentException("is not a rectangular array of numbers, booleans or strings");
            }
            return;
        }
        if (!node.isArray() || node.size() != dims[depth]) {
            throw new IllegalArgumentException("is not a rectangular array (ragged at depth " + depth + ")");
        }
        for (JsonNode e : node) {
            fill(b, e, dims, depth + 1);
        }
    }

    private static Tensor build(TensorBuilder b, TensorSpec spec, long[] shape) throws ModelCallException {
        try {
            return b.build(spec.name(), shape);
        } catch (IllegalArgumentException e) {
            throw ModelCallException.badInput("input '" + spec.name() + "' " + e.getMessage());
        }
    }
}
