package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** SIGHUP (log reopen), SIGUSR1 (graceful restart in the same process, JVM kept) and SIGTERM. */
class SignalsIT {

    /** Echo requests in a loop on 4 threads; counts answers and remembers any crossed or wrong one. */
    private static final class Load implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger refusedDuringRestart = new AtomicInteger();
        final AtomicReference<String> wrong = new AtomicReference<>();
        final Thread[] threads = new Thread[4];

        Load(LighttpdServer server) {
            for (int t = 0; t < threads.length; t++) {
                int id = t;
                threads[t] = Thread.ofPlatform().start(() -> {
                    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                        for (int i = 0; running.get(); i++) {
                            String body = "load-" + id + "-" + i;
                            try {
                                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                        server.uri("/lightbridge/diag/echo")).timeout(Duration.ofSeconds(20))
                                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                        HttpResponse.BodyHandlers.ofString());
                                if (response.statusCode() == 200 && body.equals(response.body())) ok.incrementAndGet();
                                else wrong.compareAndSet(null, response.statusCode() + " " + response.body() + " for " + body);
                            } catch (IOException closedByGracefulRestart) {
                                refusedDuringRestart.incrementAndGet(); // keep-alive connections end on SIGUSR1
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                });
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) thread.join(30_000);
        }
    }

    private static List<CompletableFuture<HttpResponse<String>>> sleepingEchoes(LighttpdServer server, int round) {
        List<CompletableFuture<HttpResponse<String>>> echoes = new ArrayList<>();
        for (int k = 0; k < 3; k++)
            echoes.add(server.client().sendAsync(HttpRequest.newBuilder(server.uri("/lightbridge/diag/echo?sleep-ms=300"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("in-flight-" + round + "-" + k))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        return echoes;
    }

    private static void awaitAnswers(LighttpdServer server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (server.get("/v2/health/ready").statusCode() == 200) return;
            } catch (IOException restarting) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("no answer within 30 s:\n" + server.errorLog());
    }

    private static void warmUp(LighttpdServer server) throws Exception {
        try (Load load = new Load(server)) {
            Thread.sleep(1_500); // JIT and worker threads exist before the baseline is taken
        }
    }

    @Test
    void sighupKeepsServingAndGrowsNothing() throws Exception {
        try (LighttpdServer server = LighttpdServer.config("sighup").start()) {
            warmUp(server);
            int fds = LighttpdServer.fdCount(server.pid());
            int threads = LighttpdServer.threadCount(server.pid());
            for (int i = 0; i < 3; i++) {
                server.signal("HUP");
                Thread.sleep(200);
                awaitAnswers(server);
                assertEquals("after HUP " + i, server.post("/lightbridge/diag/echo", "after HUP " + i).body());
            }
            assertTrue(server.errorLog().contains("logfiles cycled"), server::errorLog);
            assertTrue(LighttpdServer.fdCount(server.pid()) <= fds, "fds grew after SIGHUP");
            assertTrue(LighttpdServer.threadCount(server.pid()) <= threads + 2, "threads grew after SIGHUP");
        }
    }

    @Test
    void sigusr1ThreeTimesUnderLoadRestartsWithTheSameJvm() throws Exception {
        try (LighttpdServer server = LighttpdServer.config("sigusr1").start()) {
            warmUp(server);
            long pid = server.pid();
            int fds = LighttpdServer.fdCount(pid);
            int threads = LighttpdServer.threadCount(pid);
            try (Load load = new Load(server)) {
                for (int i = 0; i < 3; i++) {
                    int before = load.ok.get();
                    // exchanges Java still holds when the restart begins are answered, not dropped
                    List<CompletableFuture<HttpResponse<String>>> inFlight = sleepingEchoes(server, i);
                    Thread.sleep(50);
                    server.signal("USR1");
                    for (int k = 0; k < inFlight.size(); k++)
                        assertEquals("in-flight-" + i + "-" + k, inFlight.get(k).get(30, TimeUnit.SECONDS).body());
                    Thread.sleep(300);
                    awaitAnswers(server);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (load.ok.get() < before + 50 && System.nanoTime() < deadline) Thread.sleep(10);
                    assertTrue(load.ok.get() >= before + 50, "the load makes progress after restart " + (i + 1));
                }
                assertEquals(null, load.wrong.get(), "a wrong or crossed answer under SIGUSR1");
                System.out.printf("SIGUSR1 ×3 under load: %d answers, %d connections closed by the restarts%n",
                        load.ok.get(), load.refusedDuringRestart.get());
            }
            assertTrue(server.isAlive(), "lighttpd survived SIGUSR1");
            assertEquals(pid, server.pid());
            Thread.sleep(500);
            int fdsAfter = LighttpdServer.fdCount(pid);
            int threadsAfter = LighttpdServer.threadCount(pid);
            System.out.printf("fds %d → %d, threads %d → %d%n", fds, fdsAfter, threads, threadsAfter);
            assertTrue(fdsAfter <= fds + 2, "fds " + fds + " → " + fdsAfter);
            assertTrue(threadsAfter <= threads + 2, "threads " + threads + " → " + threadsAfter);
            assertTrue(server.errorLog().split("server started", -1).length - 1 >= 4, "four generations started");
        }
    }

    @Test
    void sigtermStopsPromptlyAndCleanly() throws Exception {
        LighttpdServer server = LighttpdServer.config("sigterm").start();
        assertEquals(200, server.post("/lightbridge/diag/echo", "bye").statusCode());
        long begin = System.nanoTime();
        server.assertStoppedCleanly(server.stop());
        long millis = (System.nanoTime() - begin) / 1_000_000;
        assertTrue(millis < 5_000, "SIGTERM took " + millis + " ms");
        server.close();
    }
}
