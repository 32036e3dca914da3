package io.lightbridge.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

/** The row views a batch hands back to its calls, and the copy a batch is assembled with. */
class TensorTest {

    private static final Tensor SIX_BY_TWO = Tensor.ofFloats("p", new long[] {6, 2},
            new float[] {0, 1, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51});

    @Test
    void rowsAreAViewOfThoseRowsWithTheirOwnShape() {
        Tensor middle = SIX_BY_TWO.rows(2, 3);
        assertArrayEquals(new long[] {3, 2}, middle.shape());
        assertArrayEquals(new long[] {6, 2}, SIX_BY_TWO.shape(), "the whole keeps its shape");
        assertEquals(6, middle.elementCount());
        assertEquals(20f, middle.getDouble(0));
        assertEquals(41f, middle.getDouble(5));
        ByteBuffer bytes = middle.bytes();
        assertEquals(ByteOrder.LITTLE_ENDIAN, bytes.order());
        assertEquals(24, bytes.remaining());
        assertThrows(ReadOnlyBufferException.class, () -> bytes.putFloat(0, 1f));
        assertEquals(50f, SIX_BY_TWO.rows(5, 1).getDouble(0));
        assertEquals(0, SIX_BY_TWO.rows(6, 0).elementCount());
    }

    @Test
    void rowsOfStringsAreTheirStrings() {
        Tensor words = Tensor.ofStrings("w", new long[] {3, 2}, new String[] {"a", "b", "c", "d", "e", "f"});
        Tensor last = words.rows(1, 2);
        assertArrayEquals(new long[] {2, 2}, last.shape());
        assertArrayEquals(new String[] {"c", "d", "e", "f"}, last.strings());
    }

    @Test
    void copyBytesToPlacesTheElementsAtTheIndexAndLeavesBothBuffersWhereTheyWere() {
        ByteBuffer batch = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        Tensor row = SIX_BY_TWO.rows(3, 1);
        assertEquals(8, row.copyBytesTo(batch, 16));
        assertEquals(30f, batch.getFloat(16));
        assertEquals(31f, batch.getFloat(20));
        assertEquals(0, batch.position());
        assertEquals(8, row.bytes().remaining());
        assertEquals(8, row.copyBytesTo(batch, 24), "the tensor's own position did not move");
        assertEquals(30f, batch.getFloat(24));
    }
}
