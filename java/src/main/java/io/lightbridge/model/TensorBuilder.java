package io.lightbridge.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a tensor element by element from values a protocol decoded, converting them to the element type and
 * refusing values the type cannot hold (a fraction for an integer type, 300 for UINT8, text for a number).
 * Refusals throw {@link IllegalArgumentException} with a message for the 400 body.
 */
public final class TensorBuilder {

    private final DType type;
    private ByteBuffer bytes;
    private final List<String> strings;
    private int count;

    public TensorBuilder(DType type, int expectedElements) {
        this.type = type;
        if (type == DType.BYTES) {
            this.strings = new ArrayList<>(expectedElements);
        } else {
            this.strings = null;
            this.bytes = ByteBuffer.allocate(Math.max(1, expectedElements) * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    public DType type() {
        return type;
    }

    /** A JSON number (integral when {@code integral}, then {@code asLong} is exact). */
    public void addNumber(double value, long asLong, boolean integral) {
        switch (type) {
            case BOOL -> throw new IllegalArgumentException("expected true or false, got " + format(value));
            case BYTES -> throw new IllegalArgumentException("expected a string, got " + format(value));
            case FP16 -> room().putShort(Float.floatToFloat16((float) value));
            case BF16 -> room().putShort(bfloat16((float) value));
            case FP32 -> room().putFloat((float) value);
            case FP64 -> room().putDouble(value);
            default -> putInteger(integral ? asLong : nonIntegral(value));
        }
        count++;
    }

    /** A number from a JSON tree; integers beyond 64 bits are refused for integer types, not truncated. */
    public static void addJsonNumber(TensorBuilder b, com.fasterxml.jackson.databind.JsonNode node) {
        if (node.isIntegralNumber() && !node.canConvertToLong()) {
            if (b.type.isInteger()) {
                throw new IllegalArgumentException(node.asText() + " is out of range for " + b.type.wireName());
            }
            b.addNumber(node.asDouble(), 0, false);
            return;
        }
        double d = node.asDouble();
        boolean integral = node.isIntegralNumber() || (d == Math.rint(d) && Math.abs(d) < 0x1p63);
        b.addNumber(d, node.isIntegralNumber() ? node.asLong() : (long) d, integral);
    }

    public void addBool(boolean value) {
        if (type != DType.BOOL) {
            throw new IllegalArgumentException("expected a " + type.wireName() + " value, got " + value);
        }
        room().put((byte) (value ? 1 : 0));
        count++;
    }

    public void addString(String value) {
        if (type != DType.BYTES) {
            throw new IllegalArgumentException("expected a " + type.wireName() + " number, got a string");
        }
        strings.add(value);
        count++;
    }

    /** Raw little-endian bytes of whole elements (the binary tensor extension). */
    public void addRaw(ByteBuffer raw) {
        int n = raw.remaining() / type.byteSize();
        ensure(raw.remaining());
        bytes.put(raw);
        count += n;
    }

    public Tensor build(String name, long[] shape) {
        long expected = Tensor.elementCount(shape);
        if (expected != count) {
            throw new IllegalArgumentException("has " + count + " element(s), shape " + java.util.Arrays.toString(shape)
                    + " needs " + expected);
        }
        if (type == DType.BYTES) {
            return Tensor.ofStrings(name, shape, strings.toArray(String[]::new));
        }
        return Tensor.of(name, type, shape, bytes.flip());
    }

    private long nonIntegral(double value) {
        throw new IllegalArgumentException("expected an integer for " + type.wireName() + ", got " + format(value));
    }

    private void putInteger(long v) {
        long min;
        long max;
        switch (type) {
            case UINT8 -> { min = 0; max = 255; }
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            default -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; }
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is out of range for " + type.wireName());
        }
        ByteBuffer b = room();
        switch (type) {
            case UINT8, INT8 -> b.put((byte) v);
            case INT16 -> b.putShort((short) v);
            case INT32 -> b.putInt((int) v);
            default -> b.putLong(v);
        }
    }

    private ByteBuffer room() {
        ensure(type.byteSize());
        return bytes;
    }

    private void ensure(int more) {
        if (bytes.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(bytes.capacity() * 2, bytes.position() + more))
                    .order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(bytes.flip());
            bytes = bigger;
        }
    }

    /** Round to nearest even, as PyTorch and ONNX Runtime convert float32 to bfloat16. */
    static short bfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) 0x7fc0;
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
