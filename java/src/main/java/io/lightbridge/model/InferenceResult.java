package io.lightbridge.model;

import java.util.List;

/**
 * The outputs of one model call, in the order they were requested (model order when none were named).
 *
 * @param version the version that answered, for the response and the audit record
 * @param cached  true when the outputs came from the prediction cache
 */
public record InferenceResult(String model, String version, List<Tensor> outputs, boolean cached) {
    public InferenceResult {
        outputs = List.copyOf(outputs);
    }
}
