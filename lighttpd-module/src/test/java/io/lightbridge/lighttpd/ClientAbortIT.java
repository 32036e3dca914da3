package io.lightbridge.lighttpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Clients that leave mid-request: no crash, no fd growth, every exchange freed once (the module counts them). */
class ClientAbortIT {

    private static LighttpdServer server;

    @BeforeAll
    static void start() throws Exception {
        server = LighttpdServer.config("client-abort").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void clientsAbortingMidRequestLeaveNoTrace() throws Exception {
        long pid = server.pid();
        HttpResponse<String> warm = server.get("/v2/health/live");
        assertEquals(200, warm.statusCode());
        int fdsBefore = LighttpdServer.fdCount(pid);
        for (int i = 0; i < 30; i++) {
            try (RawHttp halfBody = new RawHttp(server.port())) { // gone while lighttpd collects the body
                halfBody.send("POST /lightbridge/diag/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n"
                        + "y".repeat(100));
            }
            try (RawHttp inJava = new RawHttp(server.port())) { // gone while Java holds the exchange
                inJava.send("POST /lightbridge/diag/echo?sleep-ms=20 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabort");
                Thread.sleep(2);
            }
        }
        // HTTP/2 connections are always read, so lighttpd sees these clients go while Java holds their exchanges
        for (int i = 0; i < 10; i++) {
            Process impatient = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "--max-time", "0.2",
                    "--data-binary", "gone", server.uri("/lightbridge/diag/echo?sleep-ms=600").toString())
                    .redirectErrorStream(true).start();
            assertEquals(28, impatient.waitFor(), "curl timed out (exit 28), abandoning the request");
        }
        Thread.sleep(1_500); // the orphaned exchanges complete and are freed
        assertTrue(server.isAlive());
        HttpResponse<String> after = server.post("/lightbridge/diag/echo", "still here");
        assertEquals("still here", after.body());
        int fdsAfter = LighttpdServer.fdCount(pid);
        assertTrue(fdsAfter <= fdsBefore + 2, "fds before " + fdsBefore + ", after " + fdsAfter);
        server.signal("HUP"); // the module logs its exchange counters
        Matcher counters = awaitExchangeCounters(server);
        assertEquals(0, Integer.parseInt(counters.group(1)), "exchanges still open (leaked): " + counters.group());
        assertTrue(Integer.parseInt(counters.group(2)) > 0, "the aborts did orphan exchanges held by Java");
    }

    /**
     * A waiting request keeps its socket's read interest, so it counts against server.max-read-idle: past it lighttpd
     * closes the connection instead of waiting on, and the late completion is freed.
     */
    @Test
    void anAnswerSlowerThanMaxReadIdleClosesTheConnectionAndIsFreed() throws Exception {
        try (LighttpdServer impatient = LighttpdServer.config("read-idle").extraConf("server.max-read-idle = 1").start()) {
            long started = System.nanoTime();
            String answer;
            try (RawHttp slow = new RawHttp(impatient.port())) {
                answer = slow.send("POST /lightbridge/diag/echo?sleep-ms=5000 HTTP/1.1\r\nHost: t\r\n"
                        + "Content-Length: 4\r\n\r\nslow").readAll();
            } catch (java.net.SocketException reset) {
                answer = "";
            }
            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals("", answer, "closed without an answer");
            assertTrue(waitedMs < 4_500, "closed by the read timeout, not by the answer: " + waitedMs + " ms");
            Thread.sleep(5_500 - waitedMs); // the late completion arrives and is freed
            try (RawHttp next = new RawHttp(impatient.port())) { // a fresh connection: pooled ones hit the 1 s too
                String still = next.send("POST /lightbridge/diag/echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                        + "Content-Length: 10\r\n\r\nstill here").readAll();
                assertEquals(200, RawHttp.status(still));
                assertTrue(still.endsWith("\r\n\r\nstill here"), still);
            }
            impatient.signal("HUP");
            Matcher counters = awaitExchangeCounters(impatient);
            assertEquals(0, Integer.parseInt(counters.group(1)), "exchanges still open (leaked): " + counters.group());
            assertEquals(1, Integer.parseInt(counters.group(2)), "the timed-out exchange was orphaned");
        }
    }

    private static Matcher awaitExchangeCounters(LighttpdServer server) throws InterruptedException {
        Pattern line = Pattern.compile("mod_lightbridge: (\\d+) exchanges open, (\\d+) orphaned");
        for (int i = 0; i < 100; i++) {
            Matcher m = line.matcher(server.errorLog());
            if (m.find()) return m;
            Thread.sleep(20);
        }
        throw new AssertionError("no exchange counters after SIGHUP:\n" + server.errorLog());
    }
}
