package io.lightbridge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.acl.Action;
import io.lightbridge.acl.Decision;
import io.lightbridge.audit.AuditRecord;
import io.lightbridge.audit.AuditTrail;
import io.lightbridge.auth.Principal;
import io.lightbridge.log.ServerLog;
import io.lightbridge.workers.WorkerPool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model call that waits (a {@link ModelHandler.Deferred} whose stage another thread completes) driven through the
 * worker pool as the server drives it: the worker is released, and the completing thread audits and replies, once.
 */
class DeferredModelCallTest {

    private static final Principal ALICE =
            new Principal("alice", "test-issuer", null, Set.of(), Set.of(), Set.of(), null, null, Map.of());

    private final ConcurrentLinkedQueue<AuditRecord> audit = new ConcurrentLinkedQueue<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    /** The stages the handler handed out, in call order; the test completes them. */
    private final ConcurrentLinkedQueue<CompletableFuture<ModelHandler.Outcome>> waiting = new ConcurrentLinkedQueue<>();
    private final WorkerPool pool = new WorkerPool(1, 8, Duration.ZERO, false, ServerLog.lines(errors::add), n -> { });

    private final AuditTrail trail = new AuditTrail() {
        @Override
        public void ensureWritable() {}

        @Override
        public void append(AuditRecord record) {
            audit.add(record);
        }
    };

    private final ConcurrentLinkedQueue<Long> deadlines = new ConcurrentLinkedQueue<>();
    private final ModelHandler.Deferred deferred = (request, principal, deadlineNanos) -> {
        deadlines.add(deadlineNanos);
        var stage = new CompletableFuture<ModelHandler.Outcome>();
        waiting.add(stage);
        return stage;
    };

    private final Pipeline pipeline = new Pipeline(request -> new Route.Guarded(Action.INFER, "m", null, deferred),
            request -> ALICE, (p, a, r) -> new Decision(true, "test"), trail, Clock.systemUTC(),
            ServerLog.lines(errors::add));

    @AfterEach
    void closePool() {
        pool.close();
    }

    /** Replies as the bridge receives them, each with the audit records that existed when it was delivered. */
    private record Delivered(Response response, List<AuditRecord> auditAtDelivery, String thread) {}

    private CompletableFuture<Delivered> submit(long timeoutMs) {
        var reply = new CompletableFuture<Delivered>();
        var replies = new AtomicInteger();
        var request = new Request("POST", "/infer", "", null, "127.0.0.1", "{}".getBytes());
        assertTrue(pool.submit(request, pipeline.forRoute(pipeline.route(request)),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), response -> {
                    if (replies.incrementAndGet() > 1) {
                        errors.add("a second reply: " + response.status());
                    }
                    reply.complete(new Delivered(response, List.copyOf(audit), Thread.currentThread().getName()));
                }));
        return reply;
    }

    private CompletableFuture<ModelHandler.Outcome> nextWaiting() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        CompletableFuture<ModelHandler.Outcome> stage;
        while ((stage = waiting.poll()) == null && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        assertTrue(stage != null, "the handler was called");
        return stage;
    }

    @Test
    void aStageCompletedOnAnotherThreadDeliversOneAuditedReplyAndFreesTheWorkerMeanwhile() throws Exception {
        var first = submit(10_000);
        var firstStage = nextWaiting();
        // one worker: the second call reaches the handler only because the first released it
        var second = submit(10_000);
        var secondStage = nextWaiting();
        assertEquals(0, pool.busyWorkers());
        assertFalse(first.isDone());

        var completer = Thread.ofPlatform().name("batch-stand-in").start(() -> {
            secondStage.complete(ModelHandler.Outcome.of(Response.json(200, "{\"n\":2}"), "7"));
            firstStage.complete(ModelHandler.Outcome.of(Response.json(200, "{\"n\":1}"), "7"));
        });
        completer.join();

        Delivered one = first.get(5, TimeUnit.SECONDS);
        Delivered two = second.get(5, TimeUnit.SECONDS);
        assertEquals("{\"n\":1}", one.response().bodyText());
        assertEquals("{\"n\":2}", two.response().bodyText());
        assertEquals("batch-stand-in", one.thread(), "the completing thread delivers the reply");
        String id = one.response().header("X-Request-Id");
        assertTrue(one.auditAtDelivery().stream().anyMatch(r -> r.requestId().equals(id) && r.status() == 200
                && "7".equals(r.modelVersion()) && r.allowed()), "audited before the reply left: " + one.auditAtDelivery());
        assertEquals(2, audit.size());
        assertEquals(2, pool.completedCount());
        Thread.sleep(20);
        assertEquals(List.of(), errors, "exactly one reply each, nothing logged");
    }

    @Test
    void anExceptionallyCompletedStageAnswers500AndIsAudited() throws Exception {
        var reply = submit(10_000);
        nextWaiting().completeExceptionally(new IllegalStateException("the batch thread broke"));

        Delivered d = reply.get(5, TimeUnit.SECONDS);
        assertEquals(500, d.response().status());
        String id = d.response().header("X-Request-Id");
        assertTrue(d.response().bodyText().contains(id), d.response().bodyText());
        AuditRecord record = audit.peek();
        assertEquals(id, record.requestId());
        assertEquals(500, record.status());
        assertEquals("internal", record.errorClass());
        assertTrue(d.auditAtDelivery().contains(record));
        assertEquals(0, pool.failedCount(), "the pipeline answered it; nothing escaped to the pool");
        assertEquals(1, errors.size(), errors.toString());
    }

    @Test
    void theHandlerIsGivenTheRequestDeadlineAndItsDeadlineAnswerIsAudited() throws Exception {
        long before = System.nanoTime();
        var reply = submit(50);
        var stage = nextWaiting();
        long deadline = deadlines.poll();
        assertTrue(deadline - before >= TimeUnit.MILLISECONDS.toNanos(50)
                && deadline - before < TimeUnit.MILLISECONDS.toNanos(1_000), "the pool's deadline for this request");

        // what a batcher answers for a call still queued at its deadline
        stage.complete(ModelHandler.Outcome.failed(Response.error(504, "waited past the deadline"), "deadline"));
        Delivered d = reply.get(5, TimeUnit.SECONDS);
        assertEquals(504, d.response().status());
        AuditRecord record = audit.peek();
        assertEquals(504, record.status());
        assertEquals("deadline", record.errorClass());
        assertTrue(d.auditAtDelivery().contains(record));
        assertEquals(List.of(), errors);
    }

    @Test
    void closingThePoolWhileACallWaitsStillAnswersIt() throws Exception {
        var reply = submit(10_000);
        var stage = nextWaiting();
        pool.close();
        assertFalse(reply.isDone());

        stage.complete(ModelHandler.Outcome.of(Response.json(200, "{}"), "7"));
        assertEquals(200, reply.get(5, TimeUnit.SECONDS).response().status());
        assertEquals(1, audit.size());
    }

    @Test
    void theBlockingFormWaitsForTheStage() throws Exception {
        var answer = CompletableFuture.supplyAsync(() ->
                pipeline.handle(new Request("POST", "/infer", "", null, "127.0.0.1", "{}".getBytes())));
        nextWaiting().complete(ModelHandler.Outcome.of(Response.json(200, "{\"ok\":1}"), "7"));
        Response r = answer.get(5, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertNotEquals(null, r.header("X-Request-Id"));
        assertEquals(1, audit.size());
    }
}
