package io.lightbridge.pipeline;

/**
 * One HTTP request as the pipeline sees it, independent of the server that received it.
 *
 * @param body the complete request body; the pipeline never modifies it
 */
public record Request(String method, String path, String query, Headers headers, String remoteAddress, byte[] body) {

    public Request {
        query = query == null ? "" : query;
        headers = headers == null ? Headers.EMPTY : headers;
        remoteAddress = remoteAddress == null ? "" : remoteAddress;
        body = body == null ? new byte[0] : body;
    }

    public String header(String name) {
        return headers.first(name);
    }
}
