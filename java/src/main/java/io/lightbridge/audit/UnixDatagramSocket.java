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
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * A Linux AF_UNIX datagram socket that sends to one path (syslog's {@code /dev/log}). The JDK's
 * {@code DatagramChannel} has no UNIX family (only stream channels got one in JDK 16), so this calls
 * socket(2) and sendto(2) through FFM. Sends never block (MSG_DONTWAIT): a stalled syslog daemon costs a
 * dropped copy, never a stalled audit writer. Used by one thread; {@link #close()} is idempotent and thread-safe.
 */
final class UnixDatagramSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int SUN_PATH_MAX = 108;
    static final int MAX_MESSAGE = 64 * 1024;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment address;
    private final int addressLength;
    private final MemorySegment buffer;
    private final MemorySegment callState;
    private final String path;
    private int fd;

    UnixDatagramSocket(String path) throws IOException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= SUN_PATH_MAX) {
            throw new IOException("socket path '" + path + "' must be 1 to 107 bytes");
        }
        this.path = path;
        addressLength = 2 + name.length + 1;
        address = arena.allocate(2 + SUN_PATH_MAX, 2);
        address.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(name, 0, address, JAVA_BYTE, 2, name.length);
        buffer = arena.allocate(MAX_MESSAGE);
        callState = arena.allocate(CALL_STATE);
        try {
            fd = (int) SOCKET.invokeExact(callState, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            arena.close();
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed", t);
        }
        if (fd < 0) {
            String reason = errorText();
            arena.close();
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM): " + reason);
        }
    }

    /** Sends one datagram to the path; throws with the OS's reason when it is refused. */
    void send(byte[] message) throws IOException {
        int length = Math.min(message.length, MAX_MESSAGE);
        long sent;
        synchronized (this) {
            if (fd < 0) {
                throw new IOException("syslog socket closed");
            }
            MemorySegment.copy(message, 0, buffer, JAVA_BYTE, 0, length);
            try {
                sent = (long) SENDTO.invokeExact(callState, fd, buffer, (long) length, MSG_DONTWAIT, address, addressLength);
            } catch (Throwable t) {
                throw new IOException("sendto " + path + " failed", t);
            }
        }
        if (sent < 0) {
            throw new IOException("sendto " + path + ": " + errorText());
        }
    }

    @Override
    public synchronized void close() {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // close(2) cannot be retried meaningfully; the descriptor is gone either way.
        }
        fd = -1;
        arena.close();
    }

    private String errorText() {
        int errno = (int) ERRNO.get(callState, 0L);
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, CAPTURE_ERRNO);
    }
}
