package io.lightbridge.pipeline;

import java.nio.charset.StandardCharsets;

/** An HTTP response produced by the pipeline. */
public record Response(int status, Headers headers, byte[] body) {

    public static final String JSON = "application/json";

    public Response {
        headers = headers == null ? Headers.EMPTY : headers;
        body = body == null ? new byte[0] : body;
    }

    private static final Headers JSON_HEADERS = Headers.of("Content-Type", JSON);

    public static Response json(int status, byte[] body) {
        return new Response(status, JSON_HEADERS, body);
    }

    public static Response json(int status, String body) {
        return json(status, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON error body {"error": message}, the shape Open Inference Protocol clients expect. */
    public static Response error(int status, String message) {
        return json(status, "{\"error\":" + Json.quote(message) + "}");
    }

    public Response withHeader(String name, String value) {
        return new Response(status, headers.with(name, value), body);
    }

    public String header(String name) {
        return headers.first(name);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
