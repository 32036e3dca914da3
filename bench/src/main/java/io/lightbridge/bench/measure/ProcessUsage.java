package io.lightbridge.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU and memory of a peer's server processes over one load run, read from /proc: CPU time used (all threads)
 * divided by wall time gives cores busy; RSS is summed over the processes at the end of the run.
 *
 * @param cpuCores  average number of cores the processes kept busy
 * @param cpuMicrosPerRequest CPU time of the server processes per completed request
 * @param rssMiB    resident set size at the end, all processes together
 * @param machineCores average number of cores busy on the whole machine (servers, load generator and anything
 *                  else running): when it is well above {@code cpuCores} + the generator's share, something else
 *                  competed for the CPU during the run
 */
public record ProcessUsage(double cpuCores, double cpuMicrosPerRequest, double rssMiB, double machineCores) {

    /** CPU ticks per second as the kernel reports them in /proc/PID/stat (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    public record Snapshot(List<Long> pids, long ticks, long machineBusyTicks, long nanoTime) {}

    public static Snapshot snapshot(List<Long> pids) throws IOException {
        long ticks = 0;
        for (long pid : pids) {
            ticks += cpuTicks(pid);
        }
        return new Snapshot(List.copyOf(pids), ticks, machineBusyTicks(), System.nanoTime());
    }

    /** All CPUs' busy time from the first line of /proc/stat: everything but idle and iowait. */
    private static long machineBusyTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }

    public static ProcessUsage between(Snapshot before, Snapshot after, double completedRequests) throws IOException {
        double cpuSeconds = (after.ticks() - before.ticks()) / TICKS_PER_SECOND;
        double wall = (after.nanoTime() - before.nanoTime()) / 1e9;
        double machineSeconds = (after.machineBusyTicks() - before.machineBusyTicks()) / TICKS_PER_SECOND;
        return new ProcessUsage(cpuSeconds / wall,
                completedRequests > 0 ? cpuSeconds * 1e6 / completedRequests : 0, rssMiB(after.pids()),
                machineSeconds / wall);
    }

    public static double rssMiB(List<Long> pids) throws IOException {
        long kib = 0;
        for (long pid : pids) {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    kib += Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        }
        return kib / 1024.0;
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name may hold spaces and parentheses: fields are counted after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    }
}
