package io.lightbridge.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.auth.AuthenticationException;
import io.lightbridge.log.ServerLog;
import io.lightbridge.pipeline.Pipeline;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.pipeline.Route;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pipeline driven through the worker pool, as the server bridge drives it. */
class WorkerPoolTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean lateRequestRan = new AtomicBoolean();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final ServerLog serverLog = ServerLog.lines(errors::add);

    /** /block waits for the test, /late records that it ran, /boom throws, /overflow throws an Error, else 200. */
    private final Pipeline pipeline = new Pipeline(
            request -> new Route.Open(r -> switch (r.path()) {
                case "/block" -> {
                    awaitRelease();
                    yield Response.json(200, "{\"blocked\":true}");
                }
                case "/late" -> {
                    lateRequestRan.set(true);
                    yield Response.json(200, "{}");
                }
                case "/boom" -> throw new IllegalStateException("handler bug");
                case "/overflow" -> throw new StackOverflowError();
                default -> Response.json(200, "{\"path\":\"" + r.path() + "\"}");
            }, false),
            request -> {
                throw new AuthenticationException(AuthenticationException.Fault.SERVER, "none", "no identity in this test");
            },
            (p, a, r) -> Decision.defaultDeny(), AuditTrail.DISABLED, Clock.systemUTC(), serverLog);

    private final List<WorkerPool> pools = new java.util.ArrayList<>();

    private WorkerPool pool(int workers, int queueCapacity) {
        var pool = new WorkerPool(workers, queueCapacity, java.time.Duration.ofNanos(20_000), true, serverLog, nanos -> { });
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void releaseBlockedHandlers() {
        release.countDown();
        pools.forEach(WorkerPool::close);
    }

    @Test
    void runsTheHandlerOnAWorkerAndRepliesOnce() throws Exception {
        var pool = pool(2, 4);
        var reply = submit(pool, "/hello", 1_000);
        Response response = reply.get(5, TimeUnit.SECONDS);
        assertEquals(200, response.status());
        assertEquals("{\"path\":\"/hello\"}", response.bodyText());
        assertEquals(1, pool.completedCount());
    }

    @Test
    void refusesAtOnceWhenWorkersAndQueueAreFull() throws Exception {
        var pool = pool(1, 1);
        var running = submit(pool, "/block", 10_000);
        awaitBusy(pool, 1);
        var queued = submit(pool, "/block", 10_000);
        assertEquals(1, pool.queueDepth());

        long start = System.nanoTime();
        boolean accepted = pool.submit(request("/late"), pipeline, deadline(10_000), r -> lateRequestRan.set(true));
        long tookMicros = (System.nanoTime() - start) / 1_000;

        assertFalse(accepted);
        assertTrue(tookMicros < 1_000_000, "refusal took " + tookMicros + " µs, as if it waited for a worker");
        assertEquals(1, pool.rejectedCount());
        assertEquals(503, WorkerPool.queueFull().status());
        assertEquals("1", WorkerPool.queueFull().header("Retry-After"));
        release.countDown();
        assertEquals(200, running.get(5, TimeUnit.SECONDS).status());
        assertEquals(200, queued.get(5, TimeUnit.SECONDS).status());
        assertFalse(lateRequestRan.get());
    }

    @Test
    void answers504AtTheDeadlineWithoutRunningWhileWorkersAreBusy() throws Exception {
        var pool = pool(1, 8);
        var running = submit(pool, "/block", 10_000);
        awaitBusy(pool, 1);

        long start = System.nanoTime();
        var late = submit(pool, "/late", 40);
        Response response = late.get(5, TimeUnit.SECONDS);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(504, response.status());
        assertTrue(waitedMs >= 39 && waitedMs < 1_000, "504 after " + waitedMs + " ms");
        assertFalse(running.isDone(), "the 504 came while the worker was still busy");
        assertFalse(lateRequestRan.get());
        assertEquals(1, pool.expiredCount());
        assertEquals(0, pool.queueDepth());
        release.countDown();
        running.get(5, TimeUnit.SECONDS);
        assertFalse(lateRequestRan.get(), "an expired request never runs");
    }

    @Test
    void aFailingHandlerAnswers500ForThatRequestOnly() throws Exception {
        var pool = pool(2, 8);
        var boom = submit(pool, "/boom", 1_000);
        var overflow = submit(pool, "/overflow", 1_000);
        var fine = submit(pool, "/fine", 1_000);

        assertEquals(500, boom.get(5, TimeUnit.SECONDS).status());
        assertTrue(boom.get().header("X-Request-Id") != null, "the pipeline's own 500 names the request");
        assertEquals(500, overflow.get(5, TimeUnit.SECONDS).status());
        assertEquals(200, fine.get(5, TimeUnit.SECONDS).status());
        assertEquals(1, pool.failedCount(), "the Error escaped the pipeline and was caught by the pool");
        assertEquals(2, errors.size(), errors.toString());
    }

    @Test
    void asManyHandlersMayBlockAsThereAreWorkers() throws Exception {
        int n = 64;
        var pool = pool(n, 0);
        var replies = new java.util.ArrayList<CompletableFuture<Response>>();
        for (int i = 0; i < n; i++) {
            replies.add(submit(pool, "/block", 10_000));
        }
        awaitBusy(pool, n);
        release.countDown();
        for (var reply : replies) {
            assertEquals(200, reply.get(5, TimeUnit.SECONDS).status());
        }
        assertEquals(n, pool.completedCount());
    }

    @Test
    void cheapWorkQueuedInOnePassIsDrainedByOneWorkerNotFannedOut() throws Exception {
        var pool = pool(8, 256);
        var ranOn = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
        io.lightbridge.pipeline.Handler quick = r -> {
            ranOn.add(Thread.currentThread().getName());
            return Response.json(200, "{}");
        };
        // shows the pool that this handler is quick (and runs its first, slow call); replies are awaited per pass, as a
        // server reads them, since waking this thread per reply would count in the handler-time estimate
        for (int pass = 0; pass < 4; pass++) {
            onePass(pool, "/warm", quick, 50);
        }
        ranOn.clear();
        // 16 requests: the pool wakes a second worker when the queue times the handler-time estimate reaches
        // WAKE_WORTH (20 us), so this pass stays with one worker while the quick handler's estimate (incl. delivering
        // the reply) is under 1.3 us, even on a slow virtual machine
        for (Response reply : onePass(pool, "/pass", quick, 16)) {
            assertEquals(200, reply.status());
        }
        // one awake worker drains the pass; on a busy machine a descheduled worker (the handler-time estimate) or the
        // stall backstop may wake one or two more; a wake-up per request would bring in all eight
        assertTrue(ranOn.size() <= 3, "16 quick requests fanned out over " + ranOn);
    }

    /** One server pass: {@code n} offers, then one flush; returns the replies once all have come. */
    private static List<Response> onePass(WorkerPool pool, String path, io.lightbridge.pipeline.Handler handler, int n)
            throws Exception {
        var replies = new java.util.ArrayList<CompletableFuture<Response>>();
        for (int i = 0; i < n; i++) {
            var reply = new CompletableFuture<Response>();
            assertTrue(pool.offer(request(path), handler, deadline(5_000), reply::complete));
            replies.add(reply);
        }
        pool.flush();
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        return replies.stream().map(CompletableFuture::join).toList();
    }

    @Test
    void anOfferNobodyFlushesStillStartsWithinMilliseconds() throws Exception {
        var pool = pool(2, 8);
        Thread.sleep(100); // every worker parked: only a wake-up can start the request
        var reply = new CompletableFuture<Response>();
        long start = System.nanoTime();
        assertTrue(pool.offer(request("/unflushed"), pipeline, deadline(5_000), reply::complete));
        assertEquals(200, reply.get(5, TimeUnit.SECONDS).status());
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMs < 500, "the reaper must wake a worker for a stalled request; waited " + waitedMs + " ms");
    }

    @Test
    void workersRunUnderSchedBatchAtNice10SoTheyNeitherPreemptNorStarveTheServerThread() throws Exception {
        var pool = pool(1, 1);
        var fields = new CompletableFuture<String[]>();
        assertTrue(pool.submit(request("/x"), r -> {
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
                fields.complete(stat.substring(stat.lastIndexOf(')') + 2).split(" ")); // from field 3 (state) on
            } catch (java.io.IOException e) {
                fields.completeExceptionally(e);
            }
            return Response.json(200, "{}");
        }, deadline(1_000), r -> {}));
        String[] stat = fields.get(5, TimeUnit.SECONDS);
        assertEquals("3", stat[38], "field 41, policy: SCHED_BATCH is 3");
        assertEquals("10", stat[16], "field 19, nice");
        assertEquals(List.of(), errors);
    }

    @Test
    void closeRefusesNewRequestsAndAnswersQueuedOnes() throws Exception {
        var pool = pool(1, 4);
        var running = submit(pool, "/block", 10_000);
        awaitBusy(pool, 1);
        var queued = submit(pool, "/late", 10_000);
        pool.close();
        pool.close();
        assertEquals(504, queued.get(5, TimeUnit.SECONDS).status());
        assertFalse(pool.submit(request("/late"), pipeline, deadline(1_000), r -> {}));
        release.countDown();
        assertEquals(200, running.get(5, TimeUnit.SECONDS).status());
        assertFalse(lateRequestRan.get());
    }

    private CompletableFuture<Response> submit(WorkerPool pool, String path, long timeoutMs) {
        var reply = new CompletableFuture<Response>();
        assertTrue(pool.submit(request(path), pipeline, deadline(timeoutMs), reply::complete), "accepted " + path);
        return reply;
    }

    private static Request request(String path) {
        return new Request("GET", path, "", null, "127.0.0.1", null);
    }

    private static long deadline(long ms) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    private static void awaitBusy(WorkerPool pool, int busy) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.busyWorkers() < busy) {
            assertTrue(System.nanoTime() < end, "workers never got busy: " + pool.busyWorkers());
            Thread.sleep(1);
        }
    }

    private void awaitRelease() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
