package io.lightbridge.protocol.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class ModelRoutesTest {

    @Test
    void segmentsAreWhatSplitGives() {
        for (String rest : new String[] {"", "m", "m/", "/m", "m/infer", "m/versions/2/infer", "m//infer", "//", "a/b/c/d/e/f"}) {
            String path = "/v2/models/" + rest;
            assertArrayEquals(rest.split("/", -1), ModelRoutes.segments(path, "/v2/models/".length()), rest);
        }
    }
}
