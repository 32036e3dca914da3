package io.lightbridge.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmark's three sides compute the same prediction, so their times compare like with like. */
class InferencePipelineBenchmarkTest {

    @Test
    void rawRunsAndThePipelineAnswerTheSame() throws Exception {
        var bench = new InferencePipelineBenchmark();
        bench.model = "breast-cancer";
        bench.setUp();
        try {
            float plain = bench.rawSessionRun();
            float pinned = bench.rawSessionRunPinned();
            assertEquals(plain, pinned, "the pinned output holds what the allocated one did");
            assertTrue(plain >= 0 && plain <= 1, "a probability: " + plain);
            var response = bench.pipeline();
            assertEquals(200, response.status(), response.bodyText());
            assertTrue(response.bodyText().contains(Float.toString(plain)),
                    "the pipeline answers the raw run's value " + plain + ": " + response.bodyText());
        } finally {
            bench.tearDown();
        }
    }
}
