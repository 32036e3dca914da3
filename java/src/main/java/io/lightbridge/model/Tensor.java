package io.lightbridge.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor value crossing between a protocol and a model: element type, shape and the elements in row-major order.
 * Numeric and BOOL elements are little-endian bytes (the Open Inference Protocol's binary layout, and the native
 * order of every platform ONNX Runtime Java ships for); BYTES elements are strings. Immutable: the buffer handed
 * out is a read-only view, read it with absolute gets.
 */
public final class Tensor {

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("tensor bytes are passed to ONNX Runtime as-is: needs a little-endian platform");
        }
    }

    private final String name;
    private final DType type;
    private final long[] shape;
    private final ByteBuffer bytes;
    private final String[] strings;

    private Tensor(String name, DType type, long[] shape, ByteBuffer bytes, String[] strings) {
        this.name = name;
        this.type = type;
        this.shape = shape;
        this.bytes = bytes;
        this.strings = strings;
    }

    /** A numeric or BOOL tensor over {@code data} (little-endian, position 0, limit = size); the buffer is not copied. */
    public static Tensor of(String name, DType type, long[] shape, ByteBuffer data) {
        if (type == DType.BYTES) {
            throw new IllegalArgumentException("BYTES tensors hold strings");
        }
        long expected = elementCount(shape) * type.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException(name + ": " + data.remaining() + " bytes for shape "
                    + Arrays.toString(shape) + " of " + type.wireName() + ", expected " + expected);
        }
        return new Tensor(name, type, shape.clone(), data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN), null);
    }

    public static Tensor ofStrings(String name, long[] shape, String[] data) {
        if (data.length != elementCount(shape)) {
            throw new IllegalArgumentException(name + ": " + data.length + " strings for shape " + Arrays.toString(shape));
        }
        return new Tensor(name, DType.BYTES, shape.clone(), null, data.clone());
    }

    public static Tensor ofFloats(String name, long[] shape, float[] data) {
        var buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return of(name, DType.FP32, shape, buf);
    }

    /**
     * Rows {@code first} to {@code first + count} of this tensor's first axis, sharing its elements (BYTES: a copy of
     * those strings): how a batch's outputs are handed back to its calls.
     */
    Tensor rows(int first, int count) {
        long[] rowsShape = shape.clone();
        rowsShape[0] = count;
        long perRow = shape[0] == 0 ? 0 : elementCount() / shape[0];
        if (strings != null) {
            return new Tensor(name, type, rowsShape, null,
                    Arrays.copyOfRange(strings, Math.toIntExact(first * perRow),
                            Math.toIntExact((first + count) * perRow)));
        }
        int rowBytes = Math.toIntExact(perRow * type.byteSize());
        // a slice of the read-only buffer is read-only; slice() resets the byte order
        ByteBuffer rowsBytes = bytes.slice(first * rowBytes, count * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(name, type, rowsShape, rowsBytes, null);
    }

    public String name() {
        return name;
    }

    public DType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** Little-endian element bytes, read-only; null for BYTES. */
    public ByteBuffer bytes() {
        return bytes == null ? null : bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies the element bytes into {@code dst} at {@code index} (no buffer made for it); returns how many. */
    int copyBytesTo(ByteBuffer dst, int index) {
        int n = bytes.limit();
        dst.put(index, bytes, 0, n);
        return n;
    }

    /** The strings of a BYTES tensor (a copy); null otherwise. */
    public String[] strings() {
        return strings == null ? null : strings.clone();
    }

    String string(int i) {
        return strings[i];
    }

    /** Element {@code i} widened to double (numeric types and BOOL as 0/1). */
    public double getDouble(int i) {
        return switch (type) {
            case BOOL -> bytes.get(i) != 0 ? 1 : 0;
            case UINT8 -> Byte.toUnsignedInt(bytes.get(i));
            case INT8 -> bytes.get(i);
            case INT16 -> bytes.getShort(i * 2);
            case INT32 -> bytes.getInt(i * 4);
            case INT64 -> bytes.getLong(i * 8);
            case FP16 -> Float.float16ToFloat(bytes.getShort(i * 2));
            case BF16 -> Float.intBitsToFloat((bytes.getShort(i * 2) & 0xffff) << 16);
            case FP32 -> bytes.getFloat(i * 4);
            case FP64 -> bytes.getDouble(i * 8);
            case BYTES -> throw new IllegalStateException("BYTES tensors hold strings");
        };
    }

    /** Appends element {@code i} as a JSON value: a number (shortest form that reads back exactly), true/false or a string. */
    public void appendJson(StringBuilder sb, int i) {
        switch (type) {
            case BYTES -> sb.append(io.lightbridge.pipeline.Json.quote(strings[i]));
            case BOOL -> sb.append(bytes.get(i) != 0);
            case UINT8, INT8, INT16, INT32, INT64 -> sb.append((long) getDouble(i));
            case FP64 -> {
                double d = bytes.getDouble(i * 8);
                if (!appendNonFinite(sb, d)) {
                    sb.append(d);
                }
            }
            default -> {
                float f = (float) getDouble(i);
                if (!appendNonFinite(sb, f)) {
                    sb.append(f); // as Float.toString, without the intermediate String
                }
            }
        }
    }

    /** JSON has no NaN or infinities: they are written as the strings numpy would print. False for finite values. */
    private static boolean appendNonFinite(StringBuilder sb, double v) {
        if (Double.isNaN(v)) {
            sb.append("\"NaN\"");
        } else if (Double.isInfinite(v)) {
            sb.append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else {
            return false;
        }
        return true;
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + ":" + type.wireName() + Arrays.toString(shape);
    }
}
