package io.lightbridge.bridge;

import static io.lightbridge.bridge.AbiLayouts.HEADER;

import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Response;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a {@link Response} into the exchange: one block from response_alloc laid out as
 * {@code [lb_header × n][name and value bytes][body]}, with response.headers and response.body pointing into it.
 * Everything that can fail (encoding) happens before the block is allocated, since it may be allocated only once.
 */
final class ResponseWriter {

    private ResponseWriter() {}

    /** Fills the exchange's response; answers a bare 500 when the server cannot allocate the block. */
    static void write(NativeApi server, MemorySegment exchange, Response response) {
        List<Headers.Header> headers = response.headers().all();
        int n = headers.size();
        byte[][] fields = new byte[2 * n][];
        long size = n * HEADER.byteSize() + response.body().length;
        for (int i = 0; i < n; i++) {
            fields[2 * i] = headers.get(i).name().getBytes(StandardCharsets.ISO_8859_1);
            fields[2 * i + 1] = headers.get(i).value().getBytes(StandardCharsets.ISO_8859_1);
            size += fields[2 * i].length + fields[2 * i + 1].length;
        }
        if (size == 0) {
            set(exchange, response.status(), 0, MemorySegment.NULL, MemorySegment.NULL);
            return;
        }
        MemorySegment block = server.responseAlloc(exchange, size);
        if (block.equals(MemorySegment.NULL)) {
            server.log(AbiLayouts.LOG_ERROR, "response_alloc(" + size + ") returned NULL: answering 500");
            writeBare(exchange, 500);
            return;
        }
        block = block.reinterpret(size);
        AbiLayouts.RESPONSE_BLOCK.set(exchange, 0L, block);
        long position = n * HEADER.byteSize();
        for (int i = 0; i < n; i++) {
            long base = i * HEADER.byteSize();
            AbiLayouts.HEADER_NAME.set(block, base, put(block, position, fields[2 * i]));
            position += fields[2 * i].length;
            AbiLayouts.HEADER_VALUE.set(block, base, put(block, position, fields[2 * i + 1]));
            position += fields[2 * i + 1].length;
        }
        MemorySegment body = put(block, position, response.body());
        set(exchange, response.status(), n, n == 0 ? MemorySegment.NULL : block, body);
    }

    /**
     * Status only: no headers, no body. The block, if one was allocated, stays recorded so the server frees it.
     * For when writing a proper response failed half-way.
     */
    static void writeBare(MemorySegment exchange, int status) {
        set(exchange, status, 0, MemorySegment.NULL, MemorySegment.NULL);
    }

    static boolean hasBlock(MemorySegment exchange) {
        return !((MemorySegment) AbiLayouts.RESPONSE_BLOCK.get(exchange, 0L)).equals(MemorySegment.NULL);
    }

    private static void set(MemorySegment exchange, int status, int headerCount, MemorySegment headers,
                            MemorySegment body) {
        AbiLayouts.RESPONSE_STATUS.set(exchange, 0L, status);
        AbiLayouts.RESPONSE_HEADER_COUNT.set(exchange, 0L, headerCount);
        AbiLayouts.RESPONSE_HEADERS.set(exchange, 0L, headers);
        AbiLayouts.RESPONSE_BODY.set(exchange, 0L, body);
    }

    /** Copies bytes into the block; an empty value is {NULL, 0} as the header says. */
    private static MemorySegment put(MemorySegment block, long position, byte[] bytes) {
        if (bytes.length == 0) {
            return MemorySegment.NULL;
        }
        MemorySegment.copy(bytes, 0, block, ValueLayout.JAVA_BYTE, position, bytes.length);
        return block.asSlice(position, bytes.length);
    }
}
