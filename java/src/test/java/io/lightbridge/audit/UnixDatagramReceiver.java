package io.lightbridge.audit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/** The receiving end of /dev/log for tests: binds an AF_UNIX datagram socket to a path and reads messages. */
final class UnixDatagramReceiver implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = fn("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = fn("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(65536);
    private final int fd;

    UnixDatagramReceiver(String path) throws Throwable {
        fd = (int) SOCKET.invokeExact(1, 2, 0);
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        MemorySegment addr = arena.allocate(110, 2);
        addr.set(JAVA_SHORT, 0, (short) 1);
        MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
        if ((int) BIND.invokeExact(fd, addr, 2 + name.length + 1) != 0) {
            throw new IOException("bind " + path + " failed");
        }
        MemorySegment timeout = arena.allocate(16, 8);
        timeout.set(JAVA_LONG, 0, 10L); // seconds: a test never waits forever
        if ((int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) != 0) {
            throw new IOException("setsockopt SO_RCVTIMEO failed");
        }
    }

    String receive() throws Throwable {
        long n = (long) RECV.invokeExact(fd, buffer, buffer.byteSize(), 0);
        if (n < 0) {
            throw new IOException("recv failed or timed out");
        }
        return new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(2) failed", t);
        } finally {
            arena.close();
        }
    }
}
