package io.lightbridge.model;

import java.util.Arrays;

/**
 * A model input or output as the model declares it. {@code shape} uses -1 for a dimension of any size
 * (the batch axis of the sample models).
 */
public record TensorSpec(String name, DType type, long[] shape) {

    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** True when the first dimension is free, so requests can be concatenated along it. */
    public boolean batchable() {
        return shape.length > 0 && shape[0] == -1;
    }

    /** Why {@code actual} does not fit this spec, or null when it does. */
    String shapeMismatch(long[] actual) {
        if (actual.length != shape.length) {
            return "has rank " + actual.length + " " + Arrays.toString(actual) + ", expected rank " + shape.length
                    + " " + Arrays.toString(shape);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && actual[i] != shape[i]) {
                return "has shape " + Arrays.toString(actual) + ", expected " + Arrays.toString(shape)
                        + " (dimension " + i + " must be " + shape[i] + ")";
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + type.wireName() + Arrays.toString(shape);
    }
}
