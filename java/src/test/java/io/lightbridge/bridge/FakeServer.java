package io.lightbridge.bridge;

import static io.lightbridge.bridge.AbiLayouts.EXCHANGE;
import static io.lightbridge.bridge.AbiLayouts.HEADER;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the C server for tests: an lb_native_api whose functions are Java upcall stubs, exchanges laid out in native
 * memory, and submit() called through a downcall to the stub Java returned. Everything crosses the real FFM boundary
 * with the real layouts, as from lighttpd.
 */
final class FakeServer {

    record Answer(int status, Map<String, String> headers, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Freed when the server object is unreachable: stubs must outlive every worker still completing an exchange. */
    final Arena arena = Arena.ofAuto();
    final MemorySegment nativeApi;
    final List<String> log = new CopyOnWriteArrayList<>();
    final AtomicInteger allocations = new AtomicInteger();
    private final Map<Long, CompletableFuture<MemorySegment>> completions = new ConcurrentHashMap<>();
    private final Map<Long, Integer> allocationsPerExchange = new ConcurrentHashMap<>();
    private final Map<Long, MemorySegment> blocks = new ConcurrentHashMap<>();
    private volatile boolean failAllocations;

    FakeServer() {
        this(AbiLayouts.ABI_VERSION);
    }

    FakeServer(int abiVersion) {
        Linker linker = Linker.nativeLinker();
        nativeApi = arena.allocate(AbiLayouts.NATIVE_API);
        AbiLayouts.NATIVE_API_ABI_VERSION.set(nativeApi, 0L, abiVersion);
        AbiLayouts.NATIVE_API_RESPONSE_ALLOC.set(nativeApi, 0L, linker.upcallStub(
                handle("responseAlloc", MethodType.methodType(MemorySegment.class, MemorySegment.class, long.class)),
                AbiLayouts.RESPONSE_ALLOC, arena));
        AbiLayouts.NATIVE_API_COMPLETE.set(nativeApi, 0L, linker.upcallStub(
                handle("complete", MethodType.methodType(void.class, MemorySegment.class)), AbiLayouts.COMPLETE, arena));
        AbiLayouts.NATIVE_API_LOG.set(nativeApi, 0L, linker.upcallStub(
                handle("log", MethodType.methodType(void.class, int.class, MemorySegment.class, long.class)),
                AbiLayouts.LOG, arena));
    }

    private MethodHandle handle(String name, MethodType type) {
        try {
            return MethodHandles.lookup().findVirtual(FakeServer.class, name, type).bindTo(this);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    void failAllocations() {
        failAllocations = true;
    }

    // --- the lb_native_api functions, called by Java through downcalls ---

    private MemorySegment responseAlloc(MemorySegment exchange, long size) {
        allocations.incrementAndGet();
        allocationsPerExchange.merge(exchange.address(), 1, Integer::sum);
        if (failAllocations) {
            return MemorySegment.NULL;
        }
        MemorySegment block = arena.allocate(size, 16);
        blocks.put(exchange.address(), block);
        return block;
    }

    private void complete(MemorySegment exchange) {
        completions.computeIfAbsent(exchange.address(), a -> new CompletableFuture<>()).complete(exchange);
    }

    private void log(int level, MemorySegment message, long length) {
        log.add(level + " " + new String(message.reinterpret(length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
    }

    // --- the server's side of an exchange ---

    /** An exchange whose request points into this server's memory, as lighttpd's would. */
    MemorySegment exchange(String method, String path, String query, Map<String, String> headers, byte[] body,
                           long timeoutNanos) {
        MemorySegment ex = arena.allocate(EXCHANGE);
        AbiLayouts.REQUEST_METHOD.set(ex, 0L, bytes(method.getBytes(StandardCharsets.ISO_8859_1)));
        AbiLayouts.REQUEST_PATH.set(ex, 0L, bytes(path.getBytes(StandardCharsets.UTF_8)));
        AbiLayouts.REQUEST_QUERY.set(ex, 0L, bytes(query.getBytes(StandardCharsets.UTF_8)));
        AbiLayouts.REQUEST_REMOTE_ADDR.set(ex, 0L, bytes("192.0.2.7".getBytes(StandardCharsets.ISO_8859_1)));
        AbiLayouts.REQUEST_BODY.set(ex, 0L, bytes(body));
        MemorySegment array = arena.allocate(HEADER, Math.max(1, headers.size()));
        long i = 0;
        for (var h : headers.entrySet()) {
            AbiLayouts.HEADER_NAME.set(array, i * HEADER.byteSize(), bytes(h.getKey().getBytes(StandardCharsets.ISO_8859_1)));
            AbiLayouts.HEADER_VALUE.set(array, i * HEADER.byteSize(), bytes(h.getValue().getBytes(StandardCharsets.ISO_8859_1)));
            i++;
        }
        AbiLayouts.REQUEST_HEADERS.set(ex, 0L, headers.isEmpty() ? MemorySegment.NULL : array);
        AbiLayouts.REQUEST_HEADER_COUNT.set(ex, 0L, headers.size());
        AbiLayouts.REQUEST_HTTP_VERSION.set(ex, 0L, 11);
        AbiLayouts.REQUEST_TIMEOUT_NS.set(ex, 0L, timeoutNanos);
        return ex;
    }

    private MemorySegment bytes(byte[] content) {
        if (content.length == 0) {
            return MemorySegment.NULL;
        }
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, content);
    }

    /** Calls lb_java_api.submit and, for a queued exchange, flush through downcalls: a server pass of one request. */
    static int submit(long javaApiAddress, MemorySegment exchange) throws Throwable {
        int rc = submitWithoutFlush(javaApiAddress, exchange);
        if (rc == AbiLayouts.SUBMIT_QUEUED) {
            flush(javaApiAddress);
        }
        return rc;
    }

    /** Calls lb_java_api.submit alone, as a server does for each request of a pass before its one flush. */
    static int submitWithoutFlush(long javaApiAddress, MemorySegment exchange) throws Throwable {
        MemorySegment table = MemorySegment.ofAddress(javaApiAddress).reinterpret(AbiLayouts.JAVA_API.byteSize());
        MethodHandle submit = Linker.nativeLinker().downcallHandle(
                (MemorySegment) AbiLayouts.JAVA_API_SUBMIT.get(table, 0L), AbiLayouts.SUBMIT);
        return (int) submit.invokeExact(exchange);
    }

    static void flush(long javaApiAddress) throws Throwable {
        MemorySegment table = MemorySegment.ofAddress(javaApiAddress).reinterpret(AbiLayouts.JAVA_API.byteSize());
        MethodHandle flush = Linker.nativeLinker().downcallHandle(
                (MemorySegment) AbiLayouts.JAVA_API_FLUSH.get(table, 0L), AbiLayouts.FLUSH);
        flush.invokeExact();
    }

    static void onSighup(long javaApiAddress) throws Throwable {
        MemorySegment table = MemorySegment.ofAddress(javaApiAddress).reinterpret(AbiLayouts.JAVA_API.byteSize());
        MethodHandle sighup = Linker.nativeLinker().downcallHandle(
                (MemorySegment) AbiLayouts.JAVA_API_ON_SIGHUP.get(table, 0L), AbiLayouts.ON_SIGHUP);
        sighup.invokeExact();
    }

    CompletableFuture<MemorySegment> completion(MemorySegment exchange) {
        return completions.computeIfAbsent(exchange.address(), a -> new CompletableFuture<>());
    }

    boolean completed(MemorySegment exchange) {
        return completion(exchange).isDone();
    }

    int allocationsFor(MemorySegment exchange) {
        return allocationsPerExchange.getOrDefault(exchange.address(), 0);
    }

    /** Reads the response exactly as the C glue does: through the pointers Java left in the exchange. */
    static Answer answer(MemorySegment exchange) {
        int status = (int) AbiLayouts.RESPONSE_STATUS.get(exchange, 0L);
        int count = (int) AbiLayouts.RESPONSE_HEADER_COUNT.get(exchange, 0L);
        var headers = new LinkedHashMap<String, String>();
        if (count > 0) {
            MemorySegment array = ((MemorySegment) AbiLayouts.RESPONSE_HEADERS.get(exchange, 0L))
                    .reinterpret(count * HEADER.byteSize());
            for (long i = 0; i < count; i++) {
                headers.put(text(AbiLayouts.HEADER_NAME.get(array, i * HEADER.byteSize())),
                        text(AbiLayouts.HEADER_VALUE.get(array, i * HEADER.byteSize())));
            }
        }
        return new Answer(status, headers, AbiLayouts.RESPONSE_BODY.get(exchange, 0L).toArray(ValueLayout.JAVA_BYTE));
    }

    /** Whether response.block is the block handed out and every response pointer lies inside it. */
    boolean pointsIntoItsBlock(MemorySegment exchange) {
        MemorySegment block = blocks.get(exchange.address());
        if (block == null || ((MemorySegment) AbiLayouts.RESPONSE_BLOCK.get(exchange, 0L)).address() != block.address()) {
            return false;
        }
        int count = (int) AbiLayouts.RESPONSE_HEADER_COUNT.get(exchange, 0L);
        var ranges = new java.util.ArrayList<MemorySegment>();
        ranges.add(AbiLayouts.RESPONSE_BODY.get(exchange, 0L));
        if (count > 0) {
            MemorySegment array = ((MemorySegment) AbiLayouts.RESPONSE_HEADERS.get(exchange, 0L))
                    .reinterpret(count * HEADER.byteSize());
            ranges.add(array);
            for (long i = 0; i < count; i++) {
                ranges.add(AbiLayouts.HEADER_NAME.get(array, i * HEADER.byteSize()));
                ranges.add(AbiLayouts.HEADER_VALUE.get(array, i * HEADER.byteSize()));
            }
        }
        long start = block.address();
        long end = start + block.byteSize();
        return ranges.stream().allMatch(r -> r.byteSize() == 0 || (r.address() >= start && r.address() + r.byteSize() <= end));
    }

    private static String text(MemorySegment bytes) {
        return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }
}
