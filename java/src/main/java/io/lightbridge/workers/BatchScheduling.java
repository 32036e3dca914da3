package io.lightbridge.workers;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Puts the calling thread under Linux's SCHED_BATCH policy: same share of CPU as before, but a batch thread that
 * wakes up does not preempt the thread running on that CPU. For worker threads that is exactly right: the server's
 * event-loop thread, which woke the worker by handing it a request, keeps its CPU until it waits for events itself,
 * instead of being switched out on (measured) three out of four hand-offs.
 */
final class BatchScheduling {

    private static final int SCHED_BATCH = 3;
    private static final Optional<MethodHandle> SCHED_SETSCHEDULER = lookup();

    private BatchScheduling() {}

    private static Optional<MethodHandle> lookup() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return Optional.empty();
        }
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("sched_setscheduler").map(address -> linker.downcallHandle(address,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS)));
    }

    /** Returns why it could not, or null when the calling thread now runs under SCHED_BATCH. */
    static String applyToCurrentThread() {
        if (SCHED_SETSCHEDULER.isEmpty()) {
            return "sched_setscheduler is not available on " + System.getProperty("os.name");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(ValueLayout.JAVA_INT); // struct sched_param { int sched_priority = 0; }
            int rc = (int) SCHED_SETSCHEDULER.get().invokeExact(0, SCHED_BATCH, param);
            return rc == 0 ? null : "sched_setscheduler(SCHED_BATCH) returned " + rc;
        } catch (Throwable t) {
            return "sched_setscheduler(SCHED_BATCH) failed: " + t;
        }
    }
}
