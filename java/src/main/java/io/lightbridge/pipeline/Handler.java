package io.lightbridge.pipeline;

/** Turns a request into a response. Implementations are thread-safe and never throw for bad input. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request);
}
