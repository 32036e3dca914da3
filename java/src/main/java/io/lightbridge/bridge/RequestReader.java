package io.lightbridge.bridge;

import static io.lightbridge.bridge.AbiLayouts.HEADER;

import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Request;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * Copies an exchange's request into a {@link Request}, so nothing refers to the server's buffers once submit()
 * returns. Header fields and the method are ISO-8859-1 (HTTP's octets); path and query are UTF-8.
 */
final class RequestReader {

    /** More than any server sends (lighttpd caps a request at a few hundred headers); guards against garbage counts. */
    static final int MAX_HEADERS = 65_536;

    private RequestReader() {}

    static Request read(MemorySegment exchange) {
        return new Request(
                text(AbiLayouts.REQUEST_METHOD.get(exchange, 0L), StandardCharsets.ISO_8859_1),
                text(AbiLayouts.REQUEST_PATH.get(exchange, 0L), StandardCharsets.UTF_8),
                text(AbiLayouts.REQUEST_QUERY.get(exchange, 0L), StandardCharsets.UTF_8),
                headers(exchange),
                text(AbiLayouts.REQUEST_REMOTE_ADDR.get(exchange, 0L), StandardCharsets.ISO_8859_1),
                AbiLayouts.REQUEST_BODY.get(exchange, 0L).toArray(ValueLayout.JAVA_BYTE));
    }

    /** How long the request may wait for a worker, as the server set it; 0 or less means "use the default". */
    static long timeoutNanos(MemorySegment exchange) {
        return (long) AbiLayouts.REQUEST_TIMEOUT_NS.get(exchange, 0L);
    }

    private static Headers headers(MemorySegment exchange) {
        long count = Integer.toUnsignedLong((int) AbiLayouts.REQUEST_HEADER_COUNT.get(exchange, 0L));
        if (count == 0) {
            return Headers.EMPTY;
        }
        MemorySegment array = (MemorySegment) AbiLayouts.REQUEST_HEADERS.get(exchange, 0L);
        if (count > MAX_HEADERS || array.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("request.headers: " + count + " headers at " + array);
        }
        array = array.reinterpret(count * HEADER.byteSize());
        var list = new ArrayList<Headers.Header>((int) count);
        for (long i = 0; i < count; i++) {
            long base = i * HEADER.byteSize();
            list.add(new Headers.Header(
                    text(AbiLayouts.HEADER_NAME.get(array, base), StandardCharsets.ISO_8859_1),
                    text(AbiLayouts.HEADER_VALUE.get(array, base), StandardCharsets.ISO_8859_1)));
        }
        return Headers.of(list);
    }

    private static String text(MemorySegment bytes, Charset charset) {
        return bytes.byteSize() == 0 ? "" : new String(bytes.toArray(ValueLayout.JAVA_BYTE), charset);
    }
}
