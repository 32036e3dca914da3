package io.lightbridge.protocol.mlflow;

import io.lightbridge.model.InferenceResult;
import io.lightbridge.model.Tensor;
import io.lightbridge.pipeline.Json;

/**
 * Writes {@code {"predictions": …}} as MLflow's scoring server does: for DataFrame input a list of records, one per
 * input row ({@code {"probability": 0.98}}; an output with several values per row gives a list), for tensor input
 * an object of output name → nested array.
 */
final class Predictions {
    private Predictions() {}

    static String records(InferenceResult result) {
        var sb = new StringBuilder("{\"predictions\":[");
        long rows = result.outputs().isEmpty() || result.outputs().getFirst().rank() == 0 ? 1
                : result.outputs().getFirst().dim(0);
        for (int r = 0; r < rows; r++) {
            sb.append(r == 0 ? "{" : ",{");
            boolean first = true;
            for (Tensor t : result.outputs()) {
                long perRow = t.rank() == 0 ? 1 : t.elementCount() / Math.max(1, t.dim(0));
                sb.append(first ? "" : ",").append(Json.quote(t.name())).append(':');
                if (perRow == 1) {
                    t.appendJson(sb, r);
                } else {
                    sb.append('[');
                    for (int i = 0; i < perRow; i++) {
                        if (i > 0) {
                            sb.append(',');
                        }
                        t.appendJson(sb, (int) (r * perRow + i));
                    }
                    sb.append(']');
                }
                first = false;
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    static String tensors(InferenceResult result) {
        var sb = new StringBuilder("{\"predictions\":{");
        boolean first = true;
        for (Tensor t : result.outputs()) {
            sb.append(first ? "" : ",").append(Json.quote(t.name())).append(':');
            nested(sb, t, 0, new int[] {0});
            first = false;
        }
        return sb.append("}}").toString();
    }

    private static void nested(StringBuilder sb, Tensor t, int depth, int[] next) {
        if (depth == t.rank()) {
            t.appendJson(sb, next[0]++);
            return;
        }
        sb.append('[');
        for (long i = 0; i < t.dim(depth); i++) {
            if (i > 0) {
                sb.append(',');
            }
            nested(sb, t, depth + 1, next);
        }
        sb.append(']');
    }
}
