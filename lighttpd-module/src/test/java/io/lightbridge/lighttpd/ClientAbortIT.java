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
        Matcher counters = awaitExchangeCounters();
        assertEquals(0, Integer.parseInt(counters.group(1)), "exchanges still open (leaked): " + counters.group());
        assertTrue(Integer.parseInt(counters.group(2)) > 0, "the aborts did orphan exchanges held by Java");
    }

    private static Matcher awaitExchangeCounters() throws InterruptedException {
        Pattern line = Pattern.compile("mod_lightbridge: (\\d+) exchanges open, (\\d+) orphaned");
        for (int i = 0; i < 100; i++) {
            Matcher m = line.matcher(server.errorLog());
            if (m.find()) return m;
            Thread.sleep(20);
        }
        throw new AssertionError("no exchange counters after SIGHUP:\n" + server.errorLog());
    }
}
