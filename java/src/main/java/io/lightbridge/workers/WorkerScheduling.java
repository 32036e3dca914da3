package io.lightbridge.workers;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Makes a worker thread yield to the server's event-loop thread, in two Linux settings:
 * <ul>
 *   <li>SCHED_BATCH: a batch thread that wakes up does not preempt the thread running on that CPU, so the event loop,
 *       which woke the worker by handing it a request, keeps its CPU until it waits for events itself, instead of
 *       being switched out on (measured) three out of four hand-offs;</li>
 *   <li>nice {@value #WORKER_NICE}: when model work saturates the CPUs, the one event-loop thread still gets most of
 *       a CPU against any number of busy workers (at equal nice, sixteen busy workers would leave it a seventeenth),
 *       so it keeps accepting, refusing the excess with 503 and serving static files.</li>
 * </ul>
 */
final class WorkerScheduling {

    /** The workers' nice value; the event loop runs at the server's own (normally 0). */
    static final int WORKER_NICE = 10;

    private static final int SCHED_BATCH = 3;
    private static final int PRIO_PROCESS = 0; // with who = 0: the calling thread, on Linux
    private static final Optional<MethodHandle> SCHED_SETSCHEDULER = lookup("sched_setscheduler",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final Optional<MethodHandle> SETPRIORITY = lookup("setpriority",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private WorkerScheduling() {}

    private static Optional<MethodHandle> lookup(String function, FunctionDescriptor descriptor) {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return Optional.empty();
        }
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find(function).map(address -> linker.downcallHandle(address, descriptor));
    }

    /** Returns why it could not, or null when the calling thread now runs under SCHED_BATCH at nice {@value #WORKER_NICE}. */
    static String applyToCurrentThread() {
        if (SCHED_SETSCHEDULER.isEmpty() || SETPRIORITY.isEmpty()) {
            return "sched_setscheduler/setpriority are not available on " + System.getProperty("os.name");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(ValueLayout.JAVA_INT); // struct sched_param { int sched_priority = 0; }
            int rc = (int) SCHED_SETSCHEDULER.get().invokeExact(0, SCHED_BATCH, param);
            if (rc != 0) {
                return "sched_setscheduler(SCHED_BATCH) returned " + rc;
            }
            rc = (int) SETPRIORITY.get().invokeExact(PRIO_PROCESS, 0, WORKER_NICE);
            return rc == 0 ? null : "setpriority(" + WORKER_NICE + ") returned " + rc;
        } catch (Throwable t) {
            return "worker scheduling failed: " + t;
        }
    }
}
