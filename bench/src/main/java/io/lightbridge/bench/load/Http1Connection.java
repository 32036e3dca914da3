package io.lightbridge.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection that sends pre-built request bytes and reads the response's status and body.
 * Written by hand on purpose: on a 2-core machine the load generator shares the CPU with the servers it measures,
 * and a general client (java.net.http, Jetty's) spends more CPU per request than the lighttpd peers do. It reads
 * exactly what the peers send (Content-Length bodies) and reconnects when the server closes the connection.
 * Its buffer is small (bodies stream through it; heads are a few hundred bytes) because overload runs open
 * thousands of these.
 */
final class Http1Connection implements AutoCloseable {

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private final byte[] buf = new byte[16 * 1024];
    private int start;
    private int end;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean midResponse;

    Http1Connection(String host, int port, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** Connects now, so that a run's clock does not include connection set-up. */
    void open() throws IOException {
        if (socket == null) {
            connect();
        }
    }

    /** Sends one request and returns the response status after reading the whole body. */
    int exchange(byte[] request) throws IOException {
        boolean reused = socket != null;
        if (!reused) {
            connect();
        }
        try {
            out.write(request);
            out.flush();
            return readResponse();
        } catch (StaleConnectionException e) {
            close();
            if (!reused) {
                throw new IOException("connection closed by the peer before it answered", e);
            }
            return exchange(request); // the server closed an idle keep-alive connection: once more on a new one
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The peer closed the connection before sending any byte of the response. */
    private static final class StaleConnectionException extends IOException {
        StaleConnectionException() {
            super("closed before the response");
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        start = 0;
        end = 0;
    }

    private int readResponse() throws IOException {
        midResponse = false;
        int headEnd;
        while ((headEnd = indexOfHeadEnd()) < 0) {
            fill();
            midResponse = true;
        }
        String head = new String(buf, start, headEnd - start, StandardCharsets.ISO_8859_1);
        start = headEnd + 4;
        midResponse = true;
        if (head.length() < 12 || !head.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + head.lines().findFirst().orElse(""));
        }
        int status = Integer.parseInt(head, 9, 12, 10);
        long contentLength = -1;
        boolean close = head.startsWith("HTTP/1.0");
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && !value.equalsIgnoreCase("identity")) {
                throw new IOException("the peer sent Transfer-Encoding: " + value + "; the load generator expects Content-Length");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        if (contentLength < 0) {
            throw new IOException("response without Content-Length (status " + status + ")");
        }
        skipBody(contentLength);
        if (close) {
            close();
        }
        return status;
    }

    private void skipBody(long length) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            if (start == end) {
                fill();
            }
            int take = (int) Math.min(remaining, end - start);
            start += take;
            remaining -= take;
        }
    }

    private int indexOfHeadEnd() {
        for (int i = start; i + 3 < end; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void fill() throws IOException {
        if (start == end) {
            start = 0;
            end = 0;
        } else if (end == buf.length) {
            if (start == 0) {
                throw new IOException("response head larger than " + buf.length + " bytes");
            }
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            throw end == 0 && !midResponse ? new StaleConnectionException()
                    : new IOException("connection closed by the peer mid-response");
        }
        end += n;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket we are abandoning: nothing left to do with the error
            }
            socket = null;
        }
    }
}
