package io.lightbridge.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Copies between {@link Tensor}s and ONNX Runtime tensors. The caller owns and closes the OnnxTensors made here. */
final class OrtValues {
    private OrtValues() {}

    static OnnxTensor toOnnx(OrtEnvironment env, Tensor t) throws OrtException {
        if (t.type() == DType.BYTES) {
            return OnnxTensor.createTensor(env, t.strings(), t.shape());
        }
        ByteBuffer data = t.bytes();
        ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(data.order());
        direct.put(data).flip();
        return OnnxTensor.createTensor(env, direct, t.shape(), t.type().javaType());
    }

    static Tensor fromOnnx(String name, OnnxValue value) throws OrtException {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new OrtException("output " + name + " is a " + value.getType() + ", not a tensor");
        }
        TensorInfo info = tensor.getInfo();
        DType type = DType.ofOnnx(info.onnxType);
        if (type == null) {
            throw new OrtException("output " + name + " has element type " + info.onnxType + " which Java cannot carry");
        }
        long[] shape = info.getShape();
        if (type == DType.BYTES) {
            var flat = new ArrayList<String>();
            flatten(tensor.getValue(), flat);
            return Tensor.ofStrings(name, shape, flat.toArray(String[]::new));
        }
        return Tensor.of(name, type, shape, tensor.getByteBuffer());
    }

    private static void flatten(Object value, List<String> out) {
        if (value instanceof String s) {
            out.add(s);
        } else {
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                flatten(Array.get(value, i), out);
            }
        }
    }
}
