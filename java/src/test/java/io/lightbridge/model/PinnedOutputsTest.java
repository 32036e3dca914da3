package io.lightbridge.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.log.ServerLog;
import io.lightbridge.protocol.ModelPipeline;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which models' outputs are written into buffers sized before the run, and that a model whose outputs are not the
 * shape it declares is still served (by letting ONNX Runtime size them). That pinned runs answer as ONNX Runtime run
 * directly does is SampleModelsTest's check (both sample models pin).
 */
class PinnedOutputsTest {

    @TempDir
    Path tmp;

    @Test
    void modelsWithABatchAxisAndFixedDimensionsPinTheirOutputs() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer", "digits", "gather", "identity-all-types");
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE)) {
            for (String model : List.of("breast-cancer", "digits", "gather")) {
                try (ModelLease lease = repository.acquire(model, null)) {
                    assertTrue(lease.version().pinsOutputs(), model + " declares [batch, fixed…] outputs");
                }
            }
            try (ModelLease lease = repository.acquire("identity-all-types", null)) {
                assertFalse(lease.version().pinsOutputs(), "a BYTES output has no buffer to write into");
            }
        }
    }

    @Test
    void outputsOtherThanDeclaredAreServedAndStopThePinning() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "doubled-rows");
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE);
             ModelLease lease = repository.acquire("doubled-rows", null)) {
            assertFalse(lease.version().pinsOutputs(), "the warm-up run showed two rows where one was declared");
            InferenceResult result = lease.version().infer(
                    List.of(Tensor.ofFloats("x", new long[] {3}, new float[] {1, 2, 3})), List.of());
            Tensor y = result.outputs().getFirst();
            assertArrayEquals(new long[] {6}, y.shape());
            assertEquals(3f, y.getDouble(2));
            assertEquals(1f, y.getDouble(3));
        }
    }

    @Test
    void aCallOfNoRowsAnswersNoRows() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer");
        try (var repository = ModelRepository.open(ModelPipeline.config(repo), ServerLog.NONE);
             ModelLease lease = repository.acquire("breast-cancer", null)) {
            InferenceResult result = lease.version().infer(
                    List.of(Tensor.ofFloats("input", new long[] {0, 30}, new float[0])), List.of());
            assertArrayEquals(new long[] {0, 1}, result.outputs().getFirst().shape());
            assertTrue(lease.version().pinsOutputs(), "an empty output is still the declared shape");
        }
    }
}
