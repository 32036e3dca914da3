package io.lightbridge.bridge;

import static io.lightbridge.bridge.AbiLayouts.JAVA_API;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Builds the lb_java_api table: upcall stubs into an {@link ExchangeDispatcher}, in memory that lives as long as the process. */
final class JavaApiTable {

    private JavaApiTable() {}

    static MemorySegment create(ExchangeDispatcher dispatcher) {
        Linker linker = Linker.nativeLinker();
        Arena forever = Arena.global();
        MemorySegment submit = linker.upcallStub(
                target(dispatcher, "submit", MethodType.methodType(int.class, MemorySegment.class)),
                AbiLayouts.SUBMIT, forever);
        MemorySegment onSighup = linker.upcallStub(
                target(dispatcher, "onSighup", MethodType.methodType(void.class)),
                AbiLayouts.ON_SIGHUP, forever);
        MemorySegment flush = linker.upcallStub(
                target(dispatcher, "flush", MethodType.methodType(void.class)),
                AbiLayouts.FLUSH, forever);
        MemorySegment table = forever.allocate(JAVA_API);
        AbiLayouts.JAVA_API_ABI_VERSION.set(table, 0L, AbiLayouts.ABI_VERSION);
        AbiLayouts.JAVA_API_SUBMIT.set(table, 0L, submit);
        AbiLayouts.JAVA_API_ON_SIGHUP.set(table, 0L, onSighup);
        AbiLayouts.JAVA_API_FLUSH.set(table, 0L, flush);
        return table;
    }

    private static MethodHandle target(ExchangeDispatcher dispatcher, String name, MethodType type) {
        try {
            return MethodHandles.lookup().findVirtual(ExchangeDispatcher.class, name, type).bindTo(dispatcher);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ExchangeDispatcher." + name + " must exist with type " + type, e);
        }
    }
}
