package io.lightbridge.protocol.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lightbridge.model.DType;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.Tensor;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * An input header in the usual form (string name and datatype, a shape of non-negative integers, then data) is read
 * without a JSON tree; every other form is read as a tree. Both must give the same tensors and the same 400s.
 */
class InferRequestTest {

    private static Tensor only(String inputs) throws ModelCallException {
        var req = InferRequest.decode(("{\"inputs\":[" + inputs + "]}").getBytes(StandardCharsets.UTF_8), null);
        assertEquals(1, req.inputs().size());
        return req.inputs().getFirst();
    }

    private static String refused(String inputs) {
        return assertThrows(ModelCallException.class, () -> only(inputs)).getMessage();
    }

    private static void assertFp32(Tensor t, String name, long[] shape, float... data) {
        assertEquals(name, t.name());
        assertEquals(DType.FP32, t.type());
        assertArrayEquals(shape, t.shape());
        float[] got = new float[(int) t.elementCount()];
        t.bytes().asFloatBuffer().get(got);
        assertArrayEquals(data, got);
    }

    @Test
    void theUsualHeaderAndTheTreeFormsGiveTheSameTensor() throws ModelCallException {
        long[] shape = {1, 3};
        assertFp32(only("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1.5,-2,3e2]}"), "x", shape, 1.5f, -2f, 300f);
        assertFp32(only("{\"data\":[[1.5,-2,3e2]],\"shape\":[1,3],\"datatype\":\"FP32\",\"name\":\"x\"}"), "x", shape, 1.5f, -2f, 300f);
        assertFp32(only("{\"name\":\"x\",\"parameters\":{},\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1.5,-2,3e2]}"),
                "x", shape, 1.5f, -2f, 300f);
        assertFp32(only("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1.5,-2,3e2],\"extra\":[1]}"),
                "x", shape, 1.5f, -2f, 300f);
        assertFp32(only("{\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1.5,-2,3e2],\"name\":\"x\"}"), "x", shape, 1.5f, -2f, 300f);
        assertFp32(only("{\"parameters\":{},\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1.5,-2,3e2],\"name\":\"x\"}"),
                "x", shape, 1.5f, -2f, 300f);
        assertFp32(only("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[],\"data\":[7]}"), "x", new long[0], 7f);
        assertFp32(only("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1,1,1,1,3],\"data\":[1,2,3]}"), "x",
                new long[] {1, 1, 1, 1, 1, 3}, 1f, 2f, 3f);
    }

    @Test
    void headerRefusalsNameTheInputEitherWay() {
        assertEquals("input 'x' has shape [1,-3]: dimensions are non-negative integers",
                refused("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,-3],\"data\":[1,2,3]}"));
        assertEquals("input 'x' has shape [1,\"3\"]: dimensions are non-negative integers",
                refused("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,\"3\"],\"data\":[1,2,3]}"));
        assertEquals("input 'x' has shape [[1],3]: dimensions are non-negative integers",
                refused("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[[1],3],\"data\":[1,2,3]}"));
        assertEquals("input 'x' has shape [1,1.5]: dimensions are non-negative integers",
                refused("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1.5],\"data\":[1,2,3]}"));
        assertEquals("every input needs a \"name\" string",
                refused("{\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}"));
        assertEquals("every input needs a \"name\" string",
                refused("{\"name\":7,\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}"));
        assertEquals("input 'x' has datatype 'FP33', expected one of BOOL, UINT8, INT8, INT16, INT32, INT64, FP16, BF16,"
                        + " FP32, FP64, BYTES",
                refused("{\"name\":\"x\",\"datatype\":\"FP33\",\"shape\":[1,3],\"data\":[1,2,3]}"));
        assertEquals("input 'x' has datatype '', expected one of BOOL, UINT8, INT8, INT16, INT32, INT64, FP16, BF16,"
                        + " FP32, FP64, BYTES",
                refused("{\"name\":\"x\",\"shape\":[1,3],\"data\":[1,2,3]}"));
        assertEquals("input 'x' needs a \"shape\" array",
                refused("{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1,2,3]}"));
        assertEquals("input 'x' has 2 element(s), shape [1, 3] needs 3",
                refused("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2]}"));
        assertEquals("input 'x' has no \"data\" (nor binary_data_size)",
                refused("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3]}"));
        assertEquals("input 'x' expected an integer for INT64, got 1.5",
                refused("{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[1.5]}"));
    }
}
