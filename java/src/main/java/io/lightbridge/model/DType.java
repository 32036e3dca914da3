package io.lightbridge.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import java.util.Locale;

/**
 * The tensor element types a request can carry, named as the Open Inference Protocol names them, with their
 * ONNX Runtime Java and MLflow (numpy) counterparts. These are the types ONNX Runtime's Java API can create;
 * the unsigned 16/32/64-bit types have no Java carrier there and are refused when a model is loaded.
 */
public enum DType {
    BOOL("BOOL", "bool", 1, OnnxJavaType.BOOL, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL),
    UINT8("UINT8", "uint8", 1, OnnxJavaType.UINT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8),
    INT8("INT8", "int8", 1, OnnxJavaType.INT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8),
    INT16("INT16", "int16", 2, OnnxJavaType.INT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16),
    INT32("INT32", "int32", 4, OnnxJavaType.INT32, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32),
    INT64("INT64", "int64", 8, OnnxJavaType.INT64, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64),
    FP16("FP16", "float16", 2, OnnxJavaType.FLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16),
    BF16("BF16", "bfloat16", 2, OnnxJavaType.BFLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16),
    FP32("FP32", "float32", 4, OnnxJavaType.FLOAT, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT),
    FP64("FP64", "float64", 8, OnnxJavaType.DOUBLE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE),
    /** Variable-length byte strings; carried as UTF-8 text because ONNX Runtime Java string tensors are Java strings. */
    BYTES("BYTES", "str", 0, OnnxJavaType.STRING, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING);

    private final String wireName;
    private final String numpyName;
    private final int byteSize;
    private final OnnxJavaType javaType;
    private final OnnxTensorType onnxType;

    DType(String wireName, String numpyName, int byteSize, OnnxJavaType javaType, OnnxTensorType onnxType) {
        this.wireName = wireName;
        this.numpyName = numpyName;
        this.byteSize = byteSize;
        this.javaType = javaType;
        this.onnxType = onnxType;
    }

    /** The Open Inference Protocol name, e.g. "FP32". */
    public String wireName() {
        return wireName;
    }

    /** The numpy/MLflow signature name, e.g. "float32". */
    public String numpyName() {
        return numpyName;
    }

    /** Bytes per element; 0 for BYTES. */
    public int byteSize() {
        return byteSize;
    }

    OnnxJavaType javaType() {
        return javaType;
    }

    boolean isInteger() {
        return this == UINT8 || this == INT8 || this == INT16 || this == INT32 || this == INT64;
    }

    /** From an Open Inference Protocol name; null when unknown. */
    /** values() clones its array on every call; these lookups run per request and per output. */
    private static final DType[] ALL = values();

    public static DType ofWireName(String name) {
        if (name == null) {
            return null;
        }
        for (DType t : ALL) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** From an MLflow tensor-spec dtype ("float32", "int64", "str", "object" …); null when unknown. */
    public static DType ofNumpyName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "bool" -> BOOL;
            case "uint8" -> UINT8;
            case "int8" -> INT8;
            case "int16" -> INT16;
            case "int32" -> INT32;
            case "int64" -> INT64;
            case "float16" -> FP16;
            case "float32", "float" -> FP32;
            case "float64", "double" -> FP64;
            case "str", "string", "object", "bytes" -> BYTES;
            default -> null;
        };
    }

    /** From the element type ONNX Runtime reports for a model input or output; null when Java cannot carry it. */
    static DType ofOnnx(OnnxTensorType type) {
        for (DType t : ALL) {
            if (t.onnxType == type) {
                return t;
            }
        }
        return null;
    }
}
