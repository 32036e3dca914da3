package io.lightbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.protocol.ModelPipeline;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole FFM path without lighttpd: a {@link FakeServer} hands Java a native table of upcall stubs, bootstraps the
 * bridge, and calls submit through a downcall with exchanges in native memory; responses are read back through the
 * pointers Java left in the exchange. This proves the hand-written layouts end to end.
 */
class NativeBridgeTest {

    @TempDir
    Path dir;

    private NativeBridge bridge;

    private long start(FakeServer server, String yaml) throws Exception {
        Path config = dir.resolve("lightbridge.yaml");
        Files.writeString(config, yaml);
        bridge = new NativeBridge(Clock.systemUTC());
        long table = bridge.start(server.nativeApi.address(), config.toString());
        assertNotEquals(0, table, () -> "bootstrap failed: " + server.log);
        return table;
    }

    @Test
    void healthIsAnsweredInlineIntoOneBlock() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  workers: 2\n");
        MemorySegment ex = server.exchange("GET", "/v2/health/live", "", Map.of(), new byte[0], 0);

        assertEquals(AbiLayouts.SUBMIT_DONE, FakeServer.submit(table, ex));

        var answer = FakeServer.answer(ex);
        assertEquals(200, answer.status());
        assertEquals("{\"live\":true}", answer.bodyText());
        assertEquals("application/json", answer.headers().get("Content-Type"));
        assertTrue(answer.headers().containsKey("X-Request-Id"));
        assertTrue(server.pointsIntoItsBlock(ex));
        assertEquals(1, server.allocationsFor(ex));
        assertFalse(server.completed(ex), "complete() is not called for an inline answer");
    }

    @Test
    void echoGoesThroughTheWorkerPoolAndCompletesOnce() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  diagnostics: true\n");
        byte[] body = "héllo, bridge".getBytes(StandardCharsets.UTF_8);
        MemorySegment ex = server.exchange("POST", "/lightbridge/diag/echo", "sleep-ms=5",
                Map.of("Content-Type", "text/plain; charset=utf-8", "X-Request-Id", "req-42"), body,
                TimeUnit.SECONDS.toNanos(5));

        assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submit(table, ex));
        server.completion(ex).get(5, TimeUnit.SECONDS);

        var answer = FakeServer.answer(ex);
        assertEquals(200, answer.status());
        assertEquals("héllo, bridge", answer.bodyText());
        assertEquals("text/plain; charset=utf-8", answer.headers().get("Content-Type"));
        assertEquals("req-42", answer.headers().get("X-Request-Id"), "request headers crossed the boundary");
        assertTrue(server.pointsIntoItsBlock(ex));
        assertEquals(1, server.allocationsFor(ex));
    }

    @Test
    void concurrentExchangesGetTheirOwnBodiesBack() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  diagnostics: true\n  workers: 4\n  queue-capacity: 200\n");
        var exchanges = new ArrayList<MemorySegment>();
        for (int i = 0; i < 200; i++) {
            MemorySegment ex = server.exchange("POST", "/lightbridge/diag/echo", "", Map.of(),
                    ("body-" + i).getBytes(StandardCharsets.UTF_8), TimeUnit.SECONDS.toNanos(5));
            assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submit(table, ex));
            exchanges.add(ex);
        }
        for (int i = 0; i < exchanges.size(); i++) {
            server.completion(exchanges.get(i)).get(5, TimeUnit.SECONDS);
            assertEquals("body-" + i, FakeServer.answer(exchanges.get(i)).bodyText());
        }
    }

    @Test
    void oneFlushStartsEveryExchangeQueuedInThePass() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  diagnostics: true\n  workers: 4\n");
        var exchanges = new ArrayList<MemorySegment>();
        for (int i = 0; i < 16; i++) {
            MemorySegment ex = server.exchange("POST", "/lightbridge/diag/echo", "", Map.of(),
                    ("pass-" + i).getBytes(StandardCharsets.UTF_8), TimeUnit.SECONDS.toNanos(5));
            assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submitWithoutFlush(table, ex));
            exchanges.add(ex);
        }
        FakeServer.flush(table);
        for (int i = 0; i < exchanges.size(); i++) {
            server.completion(exchanges.get(i)).get(5, TimeUnit.SECONDS);
            assertEquals("pass-" + i, FakeServer.answer(exchanges.get(i)).bodyText());
        }
    }

    @Test
    void aServerThatNeverFlushesStillGetsItsAnswersSoon() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  diagnostics: true\n  workers: 2\n");
        MemorySegment ex = server.exchange("POST", "/lightbridge/diag/echo", "", Map.of(),
                "unflushed".getBytes(StandardCharsets.UTF_8), TimeUnit.SECONDS.toNanos(5));
        Thread.sleep(100); // every worker parked: only a wake-up can start the exchange
        long start = System.nanoTime();
        assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submitWithoutFlush(table, ex));
        server.completion(ex).get(5, TimeUnit.SECONDS);
        assertEquals("unflushed", FakeServer.answer(ex).bodyText());
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500),
                "the stall backstop must start an unflushed exchange within milliseconds");
    }

    @Test
    void unknownPathsGetAJson404Inline() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "");
        MemorySegment ex = server.exchange("GET", "/v2/nothing-here", "", Map.of(), new byte[0], 0);

        assertEquals(AbiLayouts.SUBMIT_DONE, FakeServer.submit(table, ex));
        var answer = FakeServer.answer(ex);
        assertEquals(404, answer.status());
        assertTrue(answer.bodyText().startsWith("{\"error\":"), answer.bodyText());
    }

    @Test
    void diagnosticRoutesAreOffByDefault() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  workers: 1\n");
        MemorySegment ex = server.exchange("GET", "/lightbridge/diag/noop", "", Map.of(), new byte[0], 0);

        assertEquals(AbiLayouts.SUBMIT_DONE, FakeServer.submit(table, ex));
        assertEquals(404, FakeServer.answer(ex).status());
    }

    @Test
    void aFullQueueIsRefusedInlineWith503AndAQueuedRequestExpiresWith504() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  diagnostics: true\n  workers: 1\n  queue-capacity: 1\n");
        // Deadlines far above scheduling noise on a busy 2-core machine: the waiter must still be queued when
        // `refused` arrives, and the sleeper must still be running when the waiter's deadline passes.
        MemorySegment sleeper = server.exchange("POST", "/lightbridge/diag/echo", "sleep-ms=2500", Map.of(),
                new byte[] {1}, TimeUnit.SECONDS.toNanos(5));
        MemorySegment waiter = server.exchange("GET", "/lightbridge/diag/noop", "", Map.of(), new byte[0],
                TimeUnit.MILLISECONDS.toNanos(800));
        MemorySegment refused = server.exchange("GET", "/lightbridge/diag/noop", "", Map.of(), new byte[0], 0);

        assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submit(table, sleeper));
        awaitBusyWorkers(1);
        long waiterSubmitted = System.nanoTime();
        assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submit(table, waiter));
        assertEquals(AbiLayouts.SUBMIT_DONE, FakeServer.submit(table, refused));

        var busy = FakeServer.answer(refused);
        assertEquals(503, busy.status());
        assertEquals("1", busy.headers().get("Retry-After"));
        server.completion(waiter).get(5, TimeUnit.SECONDS);
        long waitedMs = (System.nanoTime() - waiterSubmitted) / 1_000_000;
        assertEquals(504, FakeServer.answer(waiter).status());
        assertTrue(waitedMs >= 799, "504 after " + waitedMs + " ms");
        assertFalse(server.completed(sleeper), "the 504 came at the deadline, not when the worker freed up");
        server.completion(sleeper).get(5, TimeUnit.SECONDS);
        assertEquals(200, FakeServer.answer(sleeper).status());
    }

    @Test
    void outOfMemoryForTheResponseBlockStillAnswers500AndCompletes() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "server:\n  diagnostics: true\n");
        server.failAllocations();
        MemorySegment ex = server.exchange("GET", "/lightbridge/diag/noop", "", Map.of(), new byte[0], 0);

        assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submit(table, ex));
        server.completion(ex).get(5, TimeUnit.SECONDS);

        var answer = FakeServer.answer(ex);
        assertEquals(500, answer.status());
        assertEquals(0, answer.body().length);
        assertEquals(MemorySegment.NULL, AbiLayouts.RESPONSE_BLOCK.get(ex, 0L));
        assertTrue(server.log.stream().anyMatch(line -> line.contains("response_alloc")), server.log.toString());
    }

    @Test
    void aGarbledRequestAnswers500InlineAndTheBridgeKeepsServing() throws Throwable {
        var server = new FakeServer();
        long table = start(server, "");
        MemorySegment garbled = server.exchange("GET", "/v2/health/live", "", Map.of(), new byte[0], 0);
        AbiLayouts.REQUEST_HEADER_COUNT.set(garbled, 0L, 3); // three headers at NULL

        assertEquals(AbiLayouts.SUBMIT_DONE, FakeServer.submit(table, garbled));
        assertEquals(500, FakeServer.answer(garbled).status());
        MemorySegment fine = server.exchange("GET", "/v2/health/live", "", Map.of(), new byte[0], 0);
        assertEquals(AbiLayouts.SUBMIT_DONE, FakeServer.submit(table, fine));
        assertEquals(200, FakeServer.answer(fine).status());
    }

    @Test
    void aSecondBootstrapReturnsTheSameTableAndUsesTheNewFunctions() throws Throwable {
        var first = new FakeServer();
        Path config = dir.resolve("lightbridge.yaml");
        Files.writeString(config, "server:\n  diagnostics: true\n");
        var bridge = new NativeBridge(Clock.systemUTC());
        long table = bridge.start(first.nativeApi.address(), config.toString());

        var reloaded = new FakeServer();
        assertEquals(table, bridge.start(reloaded.nativeApi.address(), "/no/such/file.yaml"),
                "the config is not re-read on re-initialisation");

        MemorySegment ex = reloaded.exchange("GET", "/lightbridge/diag/noop", "", Map.of(), new byte[0], 0);
        assertEquals(AbiLayouts.SUBMIT_QUEUED, FakeServer.submit(table, ex));
        reloaded.completion(ex).get(5, TimeUnit.SECONDS);
        assertEquals(1, reloaded.allocationsFor(ex));
        assertEquals(0, first.allocations.get());
        FakeServer.onSighup(table);
    }

    @Test
    void aConfigErrorIsLoggedWithFileLineAndKeyAndBootstrapReturnsZero() throws Exception {
        var server = new FakeServer();
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "server:\n  workers: 2\n  queue-capacty: 10\n");

        assertEquals(0, new NativeBridge(Clock.systemUTC()).start(server.nativeApi.address(), config.toString()));
        assertEquals(List.of(AbiLayouts.LOG_ERROR + " lightbridge: configuration error: " + config
                + ":3: server.queue-capacty: unknown key 'queue-capacty'"), server.log);
    }

    @Test
    void componentLinesReachTheServerLogAtTheirOwnLevel() throws Exception {
        Path repo = ModelPipeline.repositoryWith(dir, "gather", "two-columns");
        Files.write(repo.resolve("two-columns/1/model.onnx"), new byte[] {1, 2, 3});
        var server = new FakeServer();
        start(server, "models:\n  repository: " + repo + "\n  poll-interval: 0s\n");
        try {
            assertTrue(server.log.contains(AbiLayouts.LOG_INFO + " lightbridge: model gather version 1 loaded"),
                    server.log.toString());
            assertTrue(server.log.stream().anyMatch(line -> line.startsWith(AbiLayouts.LOG_WARN
                    + " lightbridge: audit: no audit section")), server.log.toString());
            assertTrue(server.log.stream().anyMatch(line -> line.startsWith(AbiLayouts.LOG_ERROR
                    + " lightbridge: model two-columns version 1 failed to load")), server.log.toString());
        } finally {
            bridge.runtime().close();
        }
    }

    @Test
    void anEmptyConfigPathStartsWithDefaults() throws Throwable {
        var server = new FakeServer();
        long table = new NativeBridge(Clock.systemUTC()).start(server.nativeApi.address(), "");
        assertNotEquals(0, table, () -> server.log.toString());
        MemorySegment ex = server.exchange("GET", "/v2/health/ready", "", Map.of(), new byte[0], 0);
        assertEquals(AbiLayouts.SUBMIT_DONE, FakeServer.submit(table, ex));
        assertEquals(200, FakeServer.answer(ex).status());
        assertTrue(server.log.getLast().contains("defaults (lightbridge.config not set)"), server.log.toString());
    }

    @Test
    void aMissingConfigFileNamesThePath() {
        var server = new FakeServer();
        assertEquals(0, new NativeBridge(Clock.systemUTC()).start(server.nativeApi.address(), "/no/such/lightbridge.yaml"));
        assertEquals(1, server.log.size());
        assertTrue(server.log.getFirst().contains("/no/such/lightbridge.yaml"), server.log.toString());
    }

    @Test
    void anAbiMismatchRefusesToStart() throws Exception {
        var server = new FakeServer(AbiLayouts.ABI_VERSION + 1);
        Path config = dir.resolve("lightbridge.yaml");
        Files.writeString(config, "");
        assertEquals(0, new NativeBridge(Clock.systemUTC()).start(server.nativeApi.address(), config.toString()));
    }

    private void awaitBusyWorkers(int busy) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (bridge.runtime().workers().busyWorkers() < busy) {
            assertTrue(System.nanoTime() < end, "the worker never got busy");
            Thread.sleep(1);
        }
    }
}
