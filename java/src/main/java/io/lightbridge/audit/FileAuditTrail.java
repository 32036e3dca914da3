package io.lightbridge.audit;

import io.lightbridge.log.ServerLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hash-chained audit log. One writer thread owns the file: it drains every record waiting in the queue,
 * writes them in one write and one fsync (group commit), moves the checkpoint, then releases the callers.
 * A failed write is truncated back to the last whole record, so the chain on disk never holds half a line;
 * until a write succeeds again model calls are refused (fail closed), with a probe every {@code retry-every}.
 */
final class FileAuditTrail implements AuditTrail {

    private sealed interface Entry permits Append, Probe, Close {}

    /** {@code done} is null in async durability: nobody waits. */
    private record Append(AuditRecord record, CompletableFuture<Void> done, long enqueuedNanos) implements Entry {}

    private record Probe(CompletableFuture<Void> done) implements Entry {}

    private record Close(CompletableFuture<Void> done) implements Entry {}

    private static final int PROBE_BYTES = 4096;
    private static final int TAIL_WINDOW = 64 * 1024;
    private static final DateTimeFormatter ROTATED_STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final AuditConfig config;
    private final Path file;
    private final Clock clock;
    private final ServerLog log;
    private final AuditMetrics metrics;
    private final SyslogSink syslog;
    private final BlockingQueue<Entry> queue;
    private final Thread writer;
    private final long rotateBytes;
    private final long retryNanos;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicBoolean reopenRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String failure;
    private volatile long nextProbeNanos;

    // Owned by the writer thread (and by the constructor before the thread starts).
    private final MessageDigest sha256 = AuditLine.sha256();
    private final List<Append> carry = new ArrayList<>();
    private FileChannel channel;
    private long size;
    private long lastSeq;
    private String lastHash = AuditLine.GENESIS;
    private Instant nextRotation;
    private boolean checkpointFailing;

    FileAuditTrail(AuditConfig config, Clock clock, ServerLog log, AuditMetrics metrics) {
        this.config = config;
        this.file = config.file();
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
        this.syslog = config.syslog().enabled() ? new SyslogSink(config.syslog(), log, metrics) : null;
        this.queue = new ArrayBlockingQueue<>(config.buffer());
        this.rotateBytes = config.rotateBytes();
        this.retryNanos = config.retryEvery().toNanos();
        try {
            Checkpoint cp = Checkpoint.readBeside(file);
            if (cp != null) {
                lastSeq = cp.seq();
                lastHash = cp.hash();
            }
            ensureOpen();
        } catch (IOException e) {
            markFailed("cannot open " + file + ": " + e.getMessage());
        }
        writer = Thread.ofPlatform().name("lightbridge-audit-writer").daemon(true).unstarted(this::run);
        writer.start();
    }

    @Override
    public void ensureWritable() throws AuditUnavailableException {
        if (closed.get()) {
            throw new AuditUnavailableException("audit trail closed", null);
        }
        String reason = failure;
        if (reason == null) {
            return;
        }
        if (System.nanoTime() - nextProbeNanos < 0 || !probing.compareAndSet(false, true)) {
            throw new AuditUnavailableException(reason, null);
        }
        try {
            var done = new CompletableFuture<Void>();
            if (!queue.offer(new Probe(done))) {
                throw new AuditUnavailableException(reason, null);
            }
            await(done);
        } finally {
            probing.set(false);
        }
    }

    @Override
    public void append(AuditRecord record) throws AuditUnavailableException {
        if (closed.get()) {
            throw new AuditUnavailableException("audit trail closed", null);
        }
        CompletableFuture<Void> done = config.durability() == Durability.SYNC ? new CompletableFuture<>() : null;
        if (!queue.offer(new Append(record, done, System.nanoTime()))) {
            throw new AuditUnavailableException("audit buffer full (" + config.buffer() + " records waiting for "
                    + file + (failure == null ? ")" : "; " + failure + ")"), null);
        }
        if (done != null) {
            await(done);
        }
    }

    @Override
    public CompletableFuture<Void> appendAsync(AuditRecord record) {
        if (config.durability() != Durability.SYNC) {
            return AuditTrail.super.appendAsync(record);
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(new AuditUnavailableException("audit trail closed", null));
        }
        var done = new CompletableFuture<Void>();
        if (!queue.offer(new Append(record, done, System.nanoTime()))) {
            return CompletableFuture.failedFuture(new AuditUnavailableException("audit buffer full (" + config.buffer()
                    + " records waiting for " + file + ")", null));
        }
        return done.orTimeout(config.syncTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void reopen() {
        reopenRequested.set(true);
    }

    /** Writes what is queued, stops the writer and closes the file. Idempotent and thread-safe. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        var done = new CompletableFuture<Void>();
        try {
            queue.put(new Close(done));
            done.get(config.syncTimeout().toMillis() + retryNanos / 1_000_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("audit: writer did not stop cleanly: " + e);
        }
    }

    private void await(CompletableFuture<Void> done) throws AuditUnavailableException {
        try {
            done.get(config.syncTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuditUnavailableException a) {
                throw new AuditUnavailableException(a.getMessage(), a.getCause());
            }
            throw new AuditUnavailableException("audit write failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AuditUnavailableException("audit record not on disk within " + config.syncTimeout().toMillis()
                    + " ms (" + file + ")", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while waiting for the audit record", e);
        }
    }

    // ---- writer thread ---------------------------------------------------------------------------------

    private void run() {
        var batch = new ArrayList<Entry>();
        try {
            while (true) {
                batch.clear();
                int room = config.buffer() - carry.size();
                if (carry.isEmpty()) {
                    batch.add(queue.take());
                } else if (room > 0) {
                    Entry first = queue.poll(retryNanos, TimeUnit.NANOSECONDS);
                    if (first != null) {
                        batch.add(first);
                    }
                } else {
                    Thread.sleep(Duration.ofNanos(retryNanos));
                }
                if (!batch.isEmpty()) {
                    queue.drainTo(batch, Math.max(0, room - 1));
                }
                var appends = new ArrayList<>(carry);
                carry.clear();
                for (Entry e : batch) {
                    switch (e) {
                        case Append a -> appends.add(a);
                        case Probe p -> {
                            write(appends);
                            appends = new ArrayList<>();
                            probe(p.done());
                        }
                        case Close c -> {
                            write(appends);
                            shutdown(c.done());
                            return;
                        }
                    }
                }
                write(appends);
            }
        } catch (InterruptedException e) {
            log.error("audit writer interrupted; records still queued are not written");
        }
    }

    private void write(List<Append> appends) {
        if (appends.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        long seq = lastSeq;
        String prev = lastHash;
        var lines = new String[appends.size()];
        long startSize = -1;
        try {
            ensureOpen();
            maybeRotate();
            startSize = size;
            var out = new ByteArrayOutputStream(appends.size() * 700);
            for (int i = 0; i < lines.length; i++) {
                String prefix = AuditLine.prefix(++seq, appends.get(i).record(), prev);
                prev = AuditLine.hash(sha256, prefix);
                lines[i] = AuditLine.line(prefix, prev);
                out.writeBytes(lines[i].getBytes(StandardCharsets.UTF_8));
            }
            writeFully(ByteBuffer.wrap(out.toByteArray()), startSize);
            channel.force(false);
            size = startSize + out.size();
        } catch (IOException e) {
            rollback(startSize);
            failed(appends, "cannot write " + file + ": " + e.getMessage(), e);
            return;
        }
        lastSeq = seq;
        lastHash = prev;
        writeCheckpoint();
        markHealthy();
        long written = System.nanoTime();
        // Counted before the callers are released, so a scrape after a response sees its record counted.
        metrics.written(appends.size(), written - started, written - appends.getFirst().enqueuedNanos());
        for (Append a : appends) {
            if (a.done() != null) {
                a.done().complete(null);
            }
        }
        if (syslog != null) {
            for (int i = 0; i < lines.length; i++) {
                AuditRecord r = appends.get(i).record();
                syslog.send(r.time(), r.allowed(), lines[i].substring(0, lines[i].length() - 1));
            }
        }
    }

    private void writeFully(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** Takes back a partly written batch, so the file ends with a whole record; or closes the file if it cannot. */
    private void rollback(long startSize) {
        if (channel == null || startSize < 0) {
            return;
        }
        try {
            channel.truncate(startSize);
        } catch (IOException e) {
            log.error("audit: cannot truncate " + file + " back to " + startSize + " bytes (" + e.getMessage()
                    + "); the incomplete tail is removed when the file is next opened");
            closeChannel();
        }
    }

    private void failed(List<Append> appends, String reason, IOException cause) {
        markFailed(reason);
        metrics.writeFailed();
        if (config.durability() == Durability.SYNC) {
            var error = new AuditUnavailableException(reason, cause);
            for (Append a : appends) {
                a.done().completeExceptionally(error);
            }
        } else {
            carry.addAll(appends);
        }
    }

    /** Whether the disk takes writes again: write a block past the end, sync, take it back. */
    private void probe(CompletableFuture<Void> done) {
        if (failure == null) {
            done.complete(null);
            return;
        }
        try {
            ensureOpen();
            writeFully(ByteBuffer.allocate(PROBE_BYTES), size);
            channel.force(false);
            channel.truncate(size);
            channel.force(false);
            markHealthy();
            done.complete(null);
        } catch (IOException e) {
            rollback(size);
            String reason = "cannot write " + file + ": " + e.getMessage();
            markFailed(reason);
            done.completeExceptionally(new AuditUnavailableException(reason, e));
        }
    }

    private void shutdown(CompletableFuture<Void> done) {
        if (!carry.isEmpty()) {
            log.error("audit: " + carry.size() + " buffered records lost at close: " + failure);
        }
        var error = new AuditUnavailableException("audit trail closed", null);
        for (Entry e : queue) {
            if (e instanceof Append a && a.done() != null) {
                a.done().completeExceptionally(error);
            } else if (e instanceof Probe p) {
                p.done().completeExceptionally(error);
            }
        }
        closeChannel();
        if (syslog != null) {
            syslog.close();
        }
        done.complete(null);
    }

    private void ensureOpen() throws IOException {
        if (reopenRequested.getAndSet(false) && channel != null) {
            closeChannel();
            log.info("audit: reopening " + file);
        }
        if (channel != null) {
            return;
        }
        Files.createDirectories(file.getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            size = recoverTail(ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        channel = ch;
        if (config.rotateEvery() != null && nextRotation == null) {
            nextRotation = clock.instant().plus(config.rotateEvery());
        }
    }

    /**
     * Cuts off an incomplete last line (a crash or failed write mid-record) and continues the chain from the
     * file's last record when it is ahead of what we know (a restart). Returns the file's size afterwards.
     */
    private long recoverTail(FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize == 0) {
            return 0;
        }
        int window = (int) Math.min(fileSize, TAIL_WINDOW);
        var tail = ByteBuffer.allocate(window);
        while (tail.hasRemaining() && ch.read(tail, fileSize - window + tail.position()) >= 0) {
            // read until the window is full
        }
        byte[] bytes = tail.array();
        int end = window;
        if (bytes[end - 1] != '\n') {
            int lastNewline = lastIndexOf(bytes, end - 1);
            if (lastNewline < 0 && window < fileSize) {
                throw new IOException("the last line of " + file + " is longer than " + TAIL_WINDOW
                        + " bytes and not an audit record; move the file aside");
            }
            long cut = fileSize - window + lastNewline + 1;
            ch.truncate(cut);
            ch.force(false);
            log.warn("audit: removed an incomplete last record (" + (fileSize - cut) + " bytes) from " + file
                    + ", left by a crash or a failed write");
            fileSize = cut;
            end = lastNewline + 1;
            if (end == 0) {
                return fileSize;
            }
        }
        int start = lastIndexOf(bytes, end - 2) + 1;
        String last = new String(bytes, start, end - 1 - start, StandardCharsets.UTF_8);
        long seq = AuditLine.seq(last);
        String hash = AuditLine.storedHash(last);
        if (seq < 0 || hash == null) {
            throw new IOException(file + " ends with a line that is not an audit record; move the file aside"
                    + " (or repair it) before records can be appended");
        }
        if (seq > lastSeq) {
            lastSeq = seq;
            lastHash = hash;
        } else if (seq < lastSeq) {
            log.error("audit: " + file + " ends at record " + seq + " but its checkpoint says " + lastSeq
                    + ": records were cut off; the chain continues from the checkpoint so verify-audit shows the gap");
        }
        return fileSize;
    }

    private static int lastIndexOf(byte[] bytes, int from) {
        for (int i = from; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void maybeRotate() throws IOException {
        Instant now = clock.instant();
        boolean bySize = rotateBytes > 0 && size >= rotateBytes;
        boolean byTime = nextRotation != null && !now.isBefore(nextRotation);
        if (!bySize && !byTime) {
            return;
        }
        if (size == 0) {
            nextRotation = config.rotateEvery() == null ? null : now.plus(config.rotateEvery());
            return;
        }
        closeChannel();
        Path target = rotatedName(now);
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        log.info("audit: rotated " + file + " to " + target.getFileName() + " after record " + lastSeq);
        nextRotation = null;
        ensureOpen();
    }

    /** audit.log → audit-20261125T153000Z.log (then -2, -3 … within one second); the chain orders them. */
    private Path rotatedName(Instant now) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String stamp = ROTATED_STAMP.format(now);
        Path candidate = file.resolveSibling(stem + "-" + stamp + ext);
        for (int n = 2; Files.exists(candidate); n++) {
            candidate = file.resolveSibling(stem + "-" + stamp + "-" + n + ext);
        }
        return candidate;
    }

    private void writeCheckpoint() {
        try {
            new Checkpoint(lastSeq, lastHash).write(file);
            if (checkpointFailing) {
                checkpointFailing = false;
                log.info("audit: checkpoint " + Checkpoint.beside(file) + " written again");
            }
        } catch (IOException e) {
            if (!checkpointFailing) {
                checkpointFailing = true;
                log.warn("audit: cannot update checkpoint " + Checkpoint.beside(file) + " (" + e.getMessage()
                        + "); records are on disk, but a cut-off tail would go unnoticed until it is written again");
            }
        }
    }

    private void markFailed(String reason) {
        if (!reason.equals(failure)) {
            log.error("audit trail unavailable, model calls are refused with 503: " + reason);
        }
        failure = reason;
        nextProbeNanos = System.nanoTime() + retryNanos;
    }

    private void markHealthy() {
        if (failure != null) {
            log.info("audit trail writable again: " + file);
            failure = null;
        }
    }

    private void closeChannel() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("audit: closing " + file + ": " + e.getMessage());
        }
        channel = null;
    }
}
