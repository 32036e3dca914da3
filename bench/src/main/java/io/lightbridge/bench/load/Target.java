package io.lightbridge.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One kind of request sent to one peer: the same method, path, headers and body for every request, except the
 * bearer token, which rotates through {@code tokens} when there are several (a fresh token per request).
 *
 * @param label   what the tables and charts call it, e.g. "(b) lightbridge noop"
 * @param tokens  bearer tokens; empty for unauthenticated routes, one for a cached token, many to rotate
 */
public record Target(String label, String host, int port, String method, String pathAndQuery,
                     List<String> headers, byte[] body, List<String> tokens) {

    public Target {
        headers = List.copyOf(headers);
        tokens = List.copyOf(tokens);
        body = body == null ? new byte[0] : body;
        if (headers.size() % 2 != 0) {
            throw new IllegalArgumentException("headers must be name/value pairs");
        }
    }

    public static Target get(String label, String host, int port, String pathAndQuery) {
        return new Target(label, host, port, "GET", pathAndQuery, List.of(), new byte[0], List.of());
    }

    public Target withLabel(String newLabel) {
        return new Target(newLabel, host, port, method, pathAndQuery, headers, body, tokens);
    }

    public Target withTokens(List<String> newTokens) {
        return new Target(label, host, port, method, pathAndQuery, headers, body, newTokens);
    }

    public String url() {
        return "http://" + host + ":" + port + pathAndQuery;
    }

    /** The request's bytes on the wire for the {@code index}-th request (HTTP/1.1, keep-alive). */
    public byte[] wireBytes(long index) {
        var head = new StringBuilder(256)
                .append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n");
        for (int i = 0; i < headers.size(); i += 2) {
            head.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
        if (!tokens.isEmpty()) {
            head.append("Authorization: Bearer ").append(tokens.get((int) (index % tokens.size()))).append("\r\n");
        }
        if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }
}
