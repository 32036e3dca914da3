package io.lightbridge.bridge;

import static io.lightbridge.bridge.AbiLayouts.NATIVE_API;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The server's functions ({@code lb_native_api}) as downcall handles. One instance per process; {@link #rebind} swaps
 * in the functions of a re-initialised server (lighttpd's SIGUSR1 reloads the module) without disturbing callers.
 * Thread-safe: every function of the table is thread-safe on the C side.
 */
final class NativeApi {

    private record Functions(MethodHandle responseAlloc, MethodHandle complete, MethodHandle log) {}

    private volatile Functions functions;

    private NativeApi(Functions functions) {
        this.functions = functions;
    }

    /** Reads the table at {@code address}; it may be freed afterwards. */
    static NativeApi bind(long address) throws AbiMismatchException {
        return new NativeApi(read(address));
    }

    void rebind(long address) throws AbiMismatchException {
        functions = read(address);
    }

    private static Functions read(long address) throws AbiMismatchException {
        if (address == 0) {
            throw new AbiMismatchException("the server passed no lb_native_api table");
        }
        MemorySegment table = MemorySegment.ofAddress(address).reinterpret(NATIVE_API.byteSize());
        int version = (int) AbiLayouts.NATIVE_API_ABI_VERSION.get(table, 0L);
        if (version != AbiLayouts.ABI_VERSION) {
            throw new AbiMismatchException("the server speaks ABI version " + Integer.toUnsignedString(version)
                    + ", this jar speaks " + AbiLayouts.ABI_VERSION + ": build the module and the jar from one checkout");
        }
        Linker linker = Linker.nativeLinker();
        return new Functions(
                linker.downcallHandle(function(table, AbiLayouts.NATIVE_API_RESPONSE_ALLOC, "response_alloc"),
                        AbiLayouts.RESPONSE_ALLOC),
                linker.downcallHandle(function(table, AbiLayouts.NATIVE_API_COMPLETE, "complete"), AbiLayouts.COMPLETE),
                linker.downcallHandle(function(table, AbiLayouts.NATIVE_API_LOG, "log"), AbiLayouts.LOG));
    }

    private static MemorySegment function(MemorySegment table, java.lang.invoke.VarHandle field, String name)
            throws AbiMismatchException {
        MemorySegment pointer = (MemorySegment) field.get(table, 0L);
        if (pointer.equals(MemorySegment.NULL)) {
            throw new AbiMismatchException("lb_native_api." + name + " is NULL");
        }
        return pointer;
    }

    /** The exchange's response block, or {@link MemorySegment#NULL} when the server is out of memory. */
    MemorySegment responseAlloc(MemorySegment exchange, long size) {
        try {
            return (MemorySegment) functions.responseAlloc().invokeExact(exchange, size);
        } catch (Throwable t) {
            throw new IllegalStateException("response_alloc failed", t);
        }
    }

    void complete(MemorySegment exchange) {
        try {
            functions.complete().invokeExact(exchange);
        } catch (Throwable t) {
            throw new IllegalStateException("complete failed", t);
        }
    }

    /** One line into the server's error log; never throws (logging must not turn into a failure of its own). */
    void log(int level, String message) {
        byte[] text = ("lightbridge: " + message).replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, text.length));
            MemorySegment.copy(text, 0, buffer, ValueLayout.JAVA_BYTE, 0, text.length);
            functions.log().invokeExact(level, buffer, (long) text.length);
        } catch (Throwable t) {
            System.err.println("lightbridge: could not log through the server (" + t + "): " + message);
        }
    }
}
